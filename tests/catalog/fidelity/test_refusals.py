"""What is truly broken is refused, says where, and writes nothing (import_references, PostgreSQL)."""

import csv
import io
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.audit.models import AuditEvent
from apps.catalog.models import CategoryMetadata, ModelRecord, SourceFormat

pytestmark = pytest.mark.django_db

HEADER = "name,parameters_bn,display_name,url,baseline,description,style,tags,instruct_format,settings\r\n"
CONTROLNET = '{\n    "c": {\n        "name": "c",\n        "type": "control_canny"\n    }\n}\n'
MODELS = HEADER + "a/One-7B,7,,,,,,,,\r\nb/Two-8B,8,,,,Fine.,,,,\r\nc/Three-9B,9,,,,,,,,\r\n"


def write_source(root, controlnet=CONTROLNET, models=MODELS, db_json=None):
    (root / "image").mkdir(parents=True, exist_ok=True)
    (root / "text").mkdir(exist_ok=True)
    (root / "image/controlnet.json").write_bytes(controlnet.encode())
    (root / "text/models.csv").write_bytes(models.encode())
    if db_json is not None:
        (root / "text/db.json").write_bytes(db_json.encode())
    return root


def everything():
    return (
        list(
            ModelRecord.objects.order_by("id").values_list(
                "category", "name", "version", "data", "legacy_layout"
            )
        ),
        list(SourceFormat.objects.order_by("category").values_list("category", "profile")),
        AuditEvent.objects.count(),
        list(CategoryMetadata.objects.order_by("category").values_list("category", "revision")),
    )


@pytest.fixture
def catalog(tmp_path):
    """A small catalog imported from a small source: what a refused import must leave alone."""
    call_command("import_references", "--legacy", str(write_source(tmp_path / "good")), stdout=StringIO())
    assert ModelRecord.objects.count() == 4
    return everything()


def refused(source, *extra) -> str:
    with pytest.raises(CommandError) as caught:
        call_command("import_references", "--legacy", str(source), *extra, stdout=StringIO())
    return str(caught.value)


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


JSON_ERRORS = [
    (
        lambda t: t.replace('"control_canny"\n', '"control_canny",\n'),
        lambda t: t.index("}"),
        "Expecting property name enclosed in double quotes",
    ),
    (
        lambda t: t.replace(
            '"type": "control_canny"', '"type": "control_canny",\n        "type": "control_hed"'
        ),
        lambda t: t.rindex('"type"'),
        "the key 'type' appears twice in one object",
    ),
]


@pytest.mark.parametrize(("edit", "where", "what"), JSON_ERRORS, ids=["invalid JSON", "a key repeated"])
def test_json_that_is_broken_names_the_line_and_column(catalog, tmp_path, edit, where, what):
    broken = edit(CONTROLNET)
    line, column = line_and_column(broken, where(broken))
    message = refused(write_source(tmp_path / "bad", controlnet=broken))
    assert (
        message
        == f"Nothing imported. image/controlnet.json: invalid JSON at line {line} column {column}: {what}"
    )
    assert everything() == catalog


def test_a_record_without_a_name_is_refused(catalog, tmp_path):
    message = refused(
        write_source(tmp_path / "bad", controlnet=CONTROLNET.replace('"name": "c",', '"name": "",'))
    )
    assert (
        message == "Nothing imported. image/controlnet.json, record 'c', field 'name': the record has no name"
    )
    assert everything() == catalog


def test_a_csv_row_without_a_name_is_refused(catalog, tmp_path):
    models = MODELS.replace("b/Two-8B,", " ,")
    message = refused(write_source(tmp_path / "bad", models=models))
    assert message == "Nothing imported. text/models.csv: line 3, column 'name': the row has no model name"
    assert everything() == catalog


def test_a_quote_never_closed_is_reported_on_the_line_it_opened(catalog, tmp_path):
    models = MODELS.replace("Fine.,", '"Fine.,')  # line 3; the rest of the file is inside the quote
    message = refused(write_source(tmp_path / "bad", models=models))
    assert message == (
        "Nothing imported. text/models.csv: line 3, column 'description': broken quoting: the quoted cell "
        "opened on this line is never closed"
    )
    assert everything() == catalog


def test_a_quote_closed_rows_later_is_reported_on_the_line_it_opened(catalog, tmp_path):
    models = MODELS.replace("Fine.,", '"Fine.,').replace("c/Three-9B,", 'c/Three-9B",')
    cells = next(csv.reader(io.StringIO(models.split("\r\n", 2)[2], newline="")))  # the row lines 3-4 make
    message = refused(write_source(tmp_path / "bad", models=models))
    assert message == (
        f"Nothing imported. text/models.csv: line 3, model 'b/Two-8B', column '(row)': expected 10 cells, found "
        f"{len(cells)}: a quoted cell opened in column 'description' on line 3 runs to line 4"
    )
    assert everything() == catalog


def test_the_headerless_models_csv_is_refused_by_name(catalog, tmp_path):
    message = refused(write_source(tmp_path / "bad", models="a/One-7b,7\nb/Two-8b,8\n"))
    assert message.startswith(
        "Nothing imported. text/models.csv: line 1, column '(header)': this is the headerless models.csv format"
    )
    assert "before September 2024" in message or "until September 2024" in message
    assert everything() == catalog


def test_strict_refuses_a_db_json_models_csv_does_not_generate(catalog, tmp_path):
    good = tmp_path / "good"
    call_command("export_references", "--format", "legacy", "--out", str(tmp_path / "export"), verbosity=0)
    db = json.loads((tmp_path / "export/text/db.json").read_text())
    del db["koboldcpp/Three-9B"]
    source = write_source(good, db_json=json.dumps(db, indent=4) + "\n")
    message = refused(source, "--strict")
    assert message == (
        "Nothing imported. text/db.json: text/db.json differs from what models.csv generates in 1 entries "
        "(1 missing); HMR serves and exports the db.json that models.csv generates\n"
        "koboldcpp/Three-9B: missing from text/db.json (models.csv has it)"
    )
    assert everything() == catalog
    out = StringIO()
    call_command("import_references", "--legacy", str(source), stdout=out)  # without --strict: a warning
    assert "  koboldcpp/Three-9B: missing from text/db.json (models.csv has it)" in out.getvalue()
    assert "No changes: the catalog already matches" in out.getvalue()

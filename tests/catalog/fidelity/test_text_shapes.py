"""One hand-written models.csv per shape the text repo's files have held (or could hold, as
header-format CSV): read, exported back byte for byte, and db.json generated as convert.py would."""

import json

import pytest

from apps.catalog.categories import Category
from apps.catalog.formats import bundle, render, text_file
from tests.catalog.fidelity.helpers import export_text, stored, v2_records

HEADER = "name,parameters_bn,display_name,url,baseline,description,style,tags,instruct_format,settings"


def csv_text(*rows: str, newline: str = "\r\n") -> str:
    return newline.join((HEADER, *rows)) + newline


def db_keys(text: str) -> list[str]:
    return list(json.loads(text))


def test_a_repeated_name_keeps_every_row_and_db_json_takes_the_later_values_at_the_first_place():
    text = csv_text(
        "a/Twice-24B,24,,,,,,,,",
        "b/Once-7B,7,,,,,,,,",
        'a/Twice-24B,24,,https://hf.test/a,,"Merged, later.",,,,',
        "c/Same-8B,8,,,,,chat,,,",
        "c/Same-8B,8,,,,,chat,,,",
    )
    parsed, exported, db = export_text(text)
    assert exported == text
    assert [r.name for r in parsed.records] == ["a/Twice-24B", "b/Once-7B", "c/Same-8B"]
    entries = json.loads(db)
    assert db_keys(db)[:3] == ["a/Twice-24B", "aphrodite/a/Twice-24B", "koboldcpp/Twice-24B"]
    assert (entries["a/Twice-24B"]["url"], entries["a/Twice-24B"]["description"]) == (
        "https://hf.test/a",
        "Merged, later.",
    )
    assert parsed.warnings == [
        "text/models.csv line 4: 'a/Twice-24B' repeats the row on line 2; the later row's values win (every row "
        "is kept in models.csv)",
        "text/models.csv line 6: 'c/Same-8B' repeats the row on line 5; the later row's values win (every row is "
        "kept in models.csv)",
    ]


def test_a_repeated_record_deleted_takes_all_its_rows_and_an_edited_one_keeps_its_earlier_row():
    text = csv_text(
        "a/Twice-24B,24,,,,,,,,", "b/Once-7B,7,,,,,,,,", "a/Twice-24B,24,,https://hf.test/a,,,,,,"
    )
    parsed = bundle.parse_models_csv(text)
    snapshot = stored(parsed)
    without = render.CategoryRecords(Category.TEXT_GENERATION, snapshot.records[1:], snapshot.profile)
    assert render.legacy_file(without) == csv_text("b/Once-7B,7,,,,,,,,")
    first = snapshot.records[0]
    edited = render.StoredRecord(
        first.name, {**first.data, "url": "https://hf.test/new"}, first.layout, position=0
    )
    changed = render.CategoryRecords(
        Category.TEXT_GENERATION, [edited, snapshot.records[1]], snapshot.profile
    )
    assert render.legacy_file(changed) == csv_text(
        "a/Twice-24B,24,,,,,,,,", "b/Once-7B,7,,,,,,,,", "a/Twice-24B,24,,https://hf.test/new,,,,,,"
    )
    assert json.loads(render.text_db_file(changed))["a/Twice-24B"]["url"] == "https://hf.test/new"


def test_a_record_added_later_goes_after_the_rows_kept_at_the_end():
    text = csv_text("a/A-7B,7,,,,,,,,", "a/A-7B,7,,u,,,,,,", "")
    parsed = bundle.parse_models_csv(text)
    snapshot = stored(parsed)
    new = render.StoredRecord("z/New-3B", {"name": "z/New-3B", "parameters": 3_000_000_000}, position=5)
    grown = render.CategoryRecords(Category.TEXT_GENERATION, [*snapshot.records, new], snapshot.profile)
    assert render.legacy_file(grown) == text + "z/New-3B,3,,,,,,,,\r\n"


@pytest.mark.parametrize(
    "text",
    [
        csv_text("x/y,7,,,,,,,,", newline="\n"),
        csv_text("x/y,7,,,,,,,,", "", "x/z,8,,,,,,,,"),
        csv_text("x/y,7,,,,,,,,").removesuffix("\r\n"),
        HEADER + "\r\n" + "x/y,7,,,,,,,,\n" + "x/z,8,,,,,,,,\r\n",
        csv_text('"x/y",7,,"https://hf.test/y",,,,,,'),
        csv_text("yamatazen/EsotericSage-12B, 12,,,,,, story, Gemma 4,"),
        csv_text('LatitudeGames/Muse-12B,12.2,,,,"A tale—whether grim, or ""bright""",,,,'),
        csv_text('m/Multi-7B,7,,,,"two\r\nlines",,,,'),
        csv_text('m/S-7B,7,,,,,,,,"{""temperature"": 0.70,  ""rep_pen"":1.18}"'),
        HEADER + "\r\n",
    ],
    ids=[
        "LF line endings",
        "a blank line",
        "no final newline",
        "mixed line endings",
        "quotes the writer would not write",
        "cells with spaces",
        "non-ASCII and doubled quotes",
        "a cell over two lines",
        "settings JSON as written",
        "header only",
    ],
)
def test_rows_come_back_as_written(text):
    parsed, exported, _ = export_text(text)
    assert exported == text
    v2_records(Category.TEXT_GENERATION, stored(parsed).records)


def test_columns_added_missing_and_reordered_stay_in_place_and_reach_db_json_as_convert_py_puts_them():
    text = (
        "parameters_bn,name,url,description,style,tags,settings,context_window\r\n"
        '7,x/Y-7B,https://hf.test/y,Small.,chat,story,"{""temperature"": 0.7}",8192\r\n'
        "13,x/Z-13B,,,,,,\r\n"
    )
    parsed, exported, db = export_text(text)
    assert exported == text
    entry = json.loads(db)["x/Y-7B"]
    assert entry["context_window"] == "8192"  # an unknown column is part of the row convert.py reads
    # The defaults' keys first (description, style among them), then the row's other columns in the
    # file's order, then display_name, which convert.py adds when the row has none.
    assert list(entry)[list(entry).index("nsfw") + 1 :] == [
        "url",
        "tags",
        "settings",
        "context_window",
        "display_name",
    ]
    assert "display_name" in v2_records(Category.TEXT_GENERATION, stored(parsed).records)["x/Z-13B"]


@pytest.mark.parametrize(
    ("text", "variant"),
    [
        ("alpindale/goliath-120b,120000000000\nbigscience/bloom-1b7,1700000000\n", "raw counts (2023)"),
        ("bigscience/bloom-1b7,1.7\nbigscience/bloom-560m,0.56\n", "billions (to September 2024)"),
    ],
)
def test_the_headerless_format_is_refused_by_name(text, variant):
    with pytest.raises(bundle.ImportFormatError) as caught:
        bundle.parse_models_csv(text)
    assert str(caught.value) == f"text/models.csv: line 1, column '(header)': {text_file.HEADERLESS_MESSAGE}"
    assert "headerless models.csv format" in text_file.HEADERLESS_MESSAGE, variant


# --- db.json against models.csv -------------------------------------------------------------------


def db_report(csv: str, edit) -> list[str]:
    parsed = bundle.parse_models_csv(csv)
    committed = json.loads(render.text_db_file(stored(parsed)))
    edit(committed)
    return bundle.parse_legacy_files(
        {}, {"models.csv": csv, "db.json": json.dumps(committed, indent=4) + "\n"}
    )[0].differences


CSV = csv_text("a/Tale-12B,12,,,,A tale—grim.,,,,", "b/Two-7B,7,,,,,,,,")


def mojibake(committed):
    for key in ("a/Tale-12B", "aphrodite/a/Tale-12B", "koboldcpp/Tale-12B"):
        committed[key]["description"] = committed[key]["description"].encode().decode("cp1252")


def stale(committed):
    for key in ("b/Two-7B", "aphrodite/b/Two-7B", "koboldcpp/Two-7B"):
        del committed[key]


def extra(committed):
    committed["gone/Old-3B"] = {"name": "gone/Old-3B"}


def reordered(committed):
    committed["a/Tale-12B"] = committed.pop("a/Tale-12B")


@pytest.mark.parametrize(
    ("edit", "report"),
    [
        (
            mojibake,
            [
                "text/db.json differs from what models.csv generates in 3 entries (3 different); HMR serves and "
                "exports the db.json that models.csv generates",
                "a/Tale-12B: different bytes (description)",
                "aphrodite/a/Tale-12B: different bytes (description)",
                "koboldcpp/Tale-12B: different bytes (description)",
            ],
        ),
        (
            stale,
            [
                "text/db.json differs from what models.csv generates in 3 entries (3 missing); HMR serves and "
                "exports the db.json that models.csv generates",
                "b/Two-7B: missing from text/db.json (models.csv has it)",
                "aphrodite/b/Two-7B: missing from text/db.json (models.csv has it)",
                "koboldcpp/Two-7B: missing from text/db.json (models.csv has it)",
            ],
        ),
        (
            extra,
            [
                "text/db.json differs from what models.csv generates in 1 entries (1 extra); HMR serves and exports "
                "the db.json that models.csv generates",
                "gone/Old-3B: in text/db.json but not generated from models.csv",
            ],
        ),
        (
            reordered,
            [
                "text/db.json differs from what models.csv generates; HMR serves and exports the db.json that "
                "models.csv generates",
                "text/db.json: the entries are in another order",
            ],
        ),
    ],
    ids=["mis-encoded", "stale", "extra", "reordered"],
)
def test_a_db_json_that_models_csv_does_not_generate_is_reported_entry_by_entry(edit, report):
    assert db_report(CSV, edit) == report


def test_strict_refuses_such_a_db_json():
    parsed = bundle.parse_models_csv(CSV)
    committed = json.loads(render.text_db_file(stored(parsed)))
    stale(committed)
    with pytest.raises(bundle.ImportFormatError) as caught:
        bundle.parse_legacy_files(
            {}, {"models.csv": CSV, "db.json": json.dumps(committed, indent=4) + "\n"}, strict=True
        )
    assert str(caught.value).startswith("text/db.json: text/db.json differs from what models.csv generates")
    assert "b/Two-7B: missing from text/db.json (models.csv has it)" in str(caught.value)


def test_a_byte_order_mark_is_refused_by_name():
    with pytest.raises(bundle.ImportFormatError) as caught:
        bundle.parse_models_csv("\ufeff" + csv_text("x/y,7,,,,,,,,"))
    assert str(caught.value) == (
        "text/models.csv: line 1, column '(header)': the file starts with a byte order mark (BOM); save it as "
        "UTF-8 without one"
    )

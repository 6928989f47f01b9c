"""models.csv <-> text records, db.json generation, text model names."""

import pytest

from apps.catalog.formats import text_csv, text_file
from apps.catalog.formats.bundle import parse_models_csv
from apps.catalog.formats.text_names import backend_prefix, backend_variants, text_model_group

HEADER = "name,parameters_bn,display_name,url,baseline,description,style,tags,instruct_format,settings\r\n"


def stored(parsed):
    return [text_file.TextRecord(r.data, r.layout, position) for position, r in enumerate(parsed.records)]


def test_db_json_generated_from_models_csv_is_byte_identical(legacy_dir):
    parsed = parse_models_csv((legacy_dir / "text/models.csv").read_text())
    generated = text_file.render_db_json(stored(parsed), text_file.CsvProfile.from_dict(parsed.profile))
    assert generated.encode() == (legacy_dir / "text/db.json").read_bytes()


def test_models_csv_comes_back_byte_for_byte_repeated_names_included(legacy_dir):
    original = (legacy_dir / "text/models.csv").read_bytes().decode()
    parsed = parse_models_csv(original)
    exported = text_file.render_models_csv(stored(parsed), text_file.CsvProfile.from_dict(parsed.profile))
    assert exported == original
    names = [line.split(",", 1)[0] for line in original.split("\r\n")[1:-1]]
    assert len(parsed.records) == len(set(names)) == 719
    assert len(parsed.warnings) == len(names) - len(set(names)) == 4


def test_a_csv_row_becomes_upstreams_v2_text_record():
    _, rows = text_file.parse_models_csv(
        HEADER
        + "anthracite-org/magnum-12b-v2,12,Magnum 12B V2,https://hf.co/m,mistralai/Nemo,Creative.,roleplay,"
        'story,ChatML,"{""temperature"": 0.75, ""min_p"": 0.1}"\r\n'
    )
    assert text_csv.data_from_row(rows[0]) == {
        "name": "anthracite-org/magnum-12b-v2",
        "description": "Creative.",
        "version": "",
        "config": {"download": []},
        "baseline": "mistralai/Nemo",
        "parameters": 12_000_000_000,
        "nsfw": False,
        "style": "roleplay",
        "display_name": "Magnum 12B V2",
        "url": "https://hf.co/m",
        "tags": ["story"],
        "instruct_format": "ChatML",
        "settings": {"temperature": 0.75, "min_p": 0.1},
        "text_model_group": "magnum",
    }


def test_db_entries_are_the_base_model_and_its_two_backend_variants():
    _, rows = text_file.parse_models_csv(HEADER + "ReadyArt/Broken-Tutu-24B,24,,,,,chat,roleplay,,\r\n")
    entries = text_csv.db_entries(text_csv.data_from_row(rows[0]))
    assert [key for key, _ in entries] == [
        "ReadyArt/Broken-Tutu-24B",
        "aphrodite/ReadyArt/Broken-Tutu-24B",
        "koboldcpp/Broken-Tutu-24B",
    ]
    assert entries[2][1] == {
        "name": "koboldcpp/Broken-Tutu-24B",
        "model_name": "Broken-Tutu-24B",
        "baseline": "",
        "parameters": 24_000_000_000,
        "description": "",
        "version": "1",
        "style": "chat",
        "nsfw": False,
        "display_name": "Broken Tutu 24B",
        "tags": ["24B", "chat", "roleplay"],
    }


def test_an_edited_parameter_count_is_written_as_the_shortest_number():
    _, rows = text_file.parse_models_csv(HEADER + "a/b, 12,,,,,,,,\r\n")
    data = text_csv.data_from_row(rows[0])
    assert text_csv.row_from_data(data)["parameters_bn"] == " 12"  # raw cell kept while unchanged
    data["parameters"] = 1_300_000_000
    assert text_csv.row_from_data(data)["parameters_bn"] == "1.3"


def test_style_and_size_tags_added_by_writes_are_not_written_to_the_csv():
    data = {"name": "a/b", "parameters": 7_000_000_000, "style": "chat", "tags": ["7B", "chat", "roleplay"]}
    assert text_csv.row_from_data(data)["tags"] == "roleplay"


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("a/b,,,,,,,,,", "parameters_bn", "'' is not a number"),
        ("a/b,twelve,,,,,,,,", "parameters_bn", "'twelve' is not a number"),
        ("a/b,-3,,,,,,,,", "parameters_bn", "must be a positive number"),
        ("a/b,3,,,,,,,", "(row)", "expected 10 cells, found 9"),
        ('a/b,3,,,,,,,,"{""temp"": 1}"', "settings", "unknown generation parameters: \\['temp'\\]"),
        ('a/b,3,,,,,,,,"{oops"', "settings", "invalid JSON"),
        (",3,,,,,,,,", "name", "no model name"),
    ],
)
def test_bad_rows_name_the_line_model_and_column(row, field, message):
    with pytest.raises(text_csv.TextCsvError, match=message) as caught:
        _, rows = text_file.parse_models_csv(HEADER + "ok/model,1,,,,,,,,\r\n" + row + "\r\n")
        for parsed in rows:
            text_csv.data_from_row(parsed)
    assert (caught.value.line, caught.value.field) == (3, field)


def test_a_header_without_parameters_is_refused():
    with pytest.raises(
        text_csv.TextCsvError, match="line 1, column '\\(header\\)': the header has no 'parameters_bn'"
    ):
        text_file.parse_models_csv("name,params\r\n")


@pytest.mark.parametrize(
    ("name", "group"),
    [
        ("anthracite-org/magnum-12b-v2", "magnum"),
        ("Aeala/Enterredaas-33b", "Enterredaas"),
        ("ReadyArt/Broken-Tutu-24B-Q4_K_M", "Broken-Tutu"),
        ("koboldcpp/Broken-Tutu-24B", "Broken-Tutu"),
        ("ReadyArt/4.2.0-Broken-Tutu-24b", "Broken-Tutu"),
        ("gpt2", "gpt2"),
    ],
)
def test_text_model_group(name, group):
    assert text_model_group(name) == group


def test_backend_names():
    assert backend_variants("ReadyArt/Broken-Tutu-24B") == [
        "aphrodite/ReadyArt/Broken-Tutu-24B",
        "koboldcpp/Broken-Tutu-24B",
    ]
    assert [backend_prefix(n) for n in ("aphrodite/a/b", "koboldcpp/b", "author/b", "b")] == [
        "aphrodite",
        "koboldcpp",
        None,
        None,
    ]

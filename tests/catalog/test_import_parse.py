"""The import's parse at scale: a large text repo parsed in a second process (the same result, the
same errors), and the db.json comparison made from the per-record pieces (the same bytes)."""

import pytest
from django.core.management import CommandError, call_command

from apps.catalog import imports, sources
from apps.catalog.formats import bundle, pieces, render
from apps.catalog.models import ModelRecord


@pytest.fixture
def parallel_always(monkeypatch):
    """Today's text repo is below the size that takes a second process; lower the bar to 0."""
    monkeypatch.setattr(imports, "PARALLEL_TEXT_CHARS", 0)
    spawned = []
    real = imports.ProcessPoolExecutor

    def counted(*args, **kwargs):
        spawned.append(kwargs["mp_context"].get_start_method())
        return real(*args, **kwargs)

    monkeypatch.setattr(imports, "ProcessPoolExecutor", counted)
    return spawned


def test_the_parse_in_a_second_process_equals_the_one_here(parallel_always, legacy_dir):
    files = sources.read_legacy_dir(legacy_dir)
    in_process = bundle.parse_legacy_files(files.image, files.text)
    parsed, _ = imports.parse_source(legacy_dir=legacy_dir)
    assert parallel_always == ["spawn"]
    assert [p.category for p in parsed] == [p.category for p in in_process]
    assert parsed == in_process  # every record's data and layout, profiles, warnings, differences
    text = next(p for p in parsed if p.category.value == "text_generation")
    assert text.records and text.profile  # not an empty comparison


def test_a_small_text_repo_is_parsed_here(monkeypatch, legacy_dir):
    monkeypatch.setattr(imports, "ProcessPoolExecutor", None)  # would fail if used
    parsed, _ = imports.parse_source(legacy_dir=legacy_dir)
    assert any(p.category.value == "text_generation" for p in parsed)


def test_an_error_in_the_second_process_is_the_same_error(parallel_always, legacy_copy, db):
    path = legacy_copy / "text" / "models.csv"
    path.write_text(path.read_text().replace("acrastt/Marx-3B-V3,3,", "acrastt/Marx-3B-V3,three,"))
    files = sources.read_legacy_dir(legacy_copy)
    with pytest.raises(bundle.ImportFormatError) as here:
        bundle.parse_legacy_files(files.image, files.text)
    with pytest.raises(bundle.ImportFormatError) as there:
        imports.parse_source(legacy_dir=legacy_copy)
    assert type(there.value) is bundle.ImportFormatError
    assert (str(there.value), there.value.file, there.value.key, there.value.field) == (
        str(here.value),
        here.value.file,
        here.value.key,
        here.value.field,
    )
    assert here.value.key == "acrastt/Marx-3B-V3"  # the error names its record
    with pytest.raises(CommandError) as command:
        call_command("import_references", "--legacy", str(legacy_copy), verbosity=0)
    assert str(command.value) == f"Nothing imported. {here.value}"
    assert ModelRecord.objects.count() == 0
    assert parallel_always == ["spawn", "spawn"]


@pytest.mark.parametrize("state", ["legacy", "2024-spring", "2025-autumn"])
def test_the_db_json_the_import_compares_with_is_the_full_render(state, legacy_dir, legacy_history_dir):
    """bundle compares a source's db.json with pieces.text_db_file: render.text_db_file's bytes."""
    root = legacy_dir if state == "legacy" else legacy_history_dir / state
    parsed = bundle.parse_models_csv((root / "text" / "models.csv").read_text())
    snapshot = bundle._stored(parsed)
    assert pieces.text_db_file(snapshot) == render.text_db_file(snapshot)

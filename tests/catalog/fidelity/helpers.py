"""Shared by the fidelity tests: parse a legacy file, render it as the export does, check v2."""

from __future__ import annotations

from apps.catalog.categories import Category
from apps.catalog.formats import bundle, render, text_file, v2


def stored(parsed: bundle.ParsedCategory) -> render.CategoryRecords:
    """The parsed records as the catalog would hand them to the renderer."""
    records = [
        render.StoredRecord(r.name, r.data, r.layout, position=index)
        for index, r in enumerate(parsed.records)
    ]
    return render.CategoryRecords(parsed.category, records, parsed.profile)


def export_image(file_name: str, text: str) -> tuple[bundle.ParsedCategory, str]:
    """(what the import reads, the legacy file the export then writes)."""
    parsed = bundle.parse_legacy_image_file(file_name, text)
    return parsed, render.legacy_file(stored(parsed))


def export_text(text: str) -> tuple[bundle.ParsedCategory, str, str]:
    """(what the import reads, the models.csv and the db.json the export then writes)."""
    parsed = bundle.parse_models_csv(text)
    snapshot = stored(parsed)
    return parsed, render.legacy_file(snapshot), render.text_db_file(snapshot)


def db_json(parsed: bundle.ParsedCategory) -> str:
    snapshot = stored(parsed)
    return text_file.render_db_json(snapshot.records, text_file.CsvProfile.from_dict(snapshot.profile))


def v2_records(category: Category, records: list[render.StoredRecord]) -> dict[str, dict]:
    """Each record as v2 renders it, checked the way a strict v2 reader would check it: only the
    fields of the category's v2 record, and valid (v2.validate_record accepts it)."""
    allowed = set(v2.field_names(category))
    download_fields = {f.name for f in v2.DOWNLOAD_FIELDS}
    out = {}
    for record in records:
        body = v2.render_record(category, record.data, record.meta)
        assert set(body) <= allowed, (record.name, set(body) - allowed)
        assert set(body["metadata"]) <= set(v2.METADATA_FIELDS)
        assert set(body["config"]) <= {"download", "embedded_component_hashes"}
        for download in body["config"]["download"]:
            assert set(download) <= download_fields, (record.name, set(download) - download_fields)
        v2.validate_record(category, body, loc=())
        out[record.name] = body
    return out

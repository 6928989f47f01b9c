"""The read pipeline's renderer: a category's stored records (and its legacy file's profile) in,
the bytes of every document and file out. Pure functions; no ORM, no I/O.

`catalog.selectors.category_records` gives the input; the document cache (catalog/documents.py)
and the exporter (apps/sync) only store or write what comes out, so the API, the export files
and the GitHub sync serve one rendering.

Formats of a category document:
- `V1`: the legacy file as served by v1 (text: db.json; lora/ti: `{}`);
- `V1_GROUPED`: text only, db.json entries with their group fields (`include_group=true`);
- `V2`: `{name: v2 record}`, compact.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from apps.catalog.categories import CATEGORIES, TEXT_DB_FILE, Category, Repo
from apps.catalog.formats import jsonfile, legacy, text_csv, text_groups, v2

V1 = "v1"
V1_GROUPED = "v1-grouped"
V2 = "v2"
FORMATS = (V1, V1_GROUPED, V2)


@dataclass(frozen=True)
class StoredRecord:
    name: str
    data: dict
    layout: dict | None = None
    meta: v2.RecordMeta = field(default_factory=v2.RecordMeta)


@dataclass(frozen=True)
class CategoryRecords:
    """Everything a category's documents are rendered from: its records in file order and the
    formatting profile its legacy file had at import (None: the default profile)."""

    category: Category
    records: list[StoredRecord]
    profile: dict | None = None


def legacy_export_path(category: Category) -> str | None:
    """The legacy file's path in an export (`image/x.json`, `text/models.csv`), None if v2-only."""
    info = CATEGORIES[category]
    if not info.legacy_file:
        return None
    return f"{info.repo.value}/{info.legacy_file}"


def legacy_file(snapshot: CategoryRecords) -> str:
    """The category's legacy file (models.csv for text), byte-identical to what was imported."""
    records = snapshot.records
    if snapshot.category == Category.TEXT_GENERATION:
        profile = text_csv.CsvProfile.from_dict(snapshot.profile)
        return text_csv.render_models_csv([r.data for r in records], profile)
    members = (
        jsonfile.Member(
            legacy.legacy_key(r.data),
            legacy.legacy_from_data(snapshot.category, r.data),
            jsonfile.Layout.from_dict(r.layout),
        )
        for r in records
    )
    return jsonfile.render_document(members, jsonfile.JsonProfile.from_dict(snapshot.profile))


def text_db_file(snapshot: CategoryRecords) -> str:
    """The text repo's generated db.json."""
    return text_csv.render_db_json([r.data for r in snapshot.records])


def legacy_files(snapshot: CategoryRecords) -> dict[str, str]:
    """The category's legacy files by export path (text: models.csv and db.json); {} if v2-only."""
    path = legacy_export_path(snapshot.category)
    if path is None:
        return {}
    files = {path: legacy_file(snapshot)}
    if CATEGORIES[snapshot.category].repo == Repo.TEXT:
        files[f"{Repo.TEXT.value}/{TEXT_DB_FILE}"] = text_db_file(snapshot)
    return files


def v2_document(snapshot: CategoryRecords) -> dict:
    return {r.name: v2.render_record(snapshot.category, r.data, r.meta) for r in snapshot.records}


def v2_file(snapshot: CategoryRecords) -> str:
    """A v2 category file: indent 4, UTF-8, a final newline."""
    return json.dumps(v2_document(snapshot), indent=4, ensure_ascii=False) + "\n"


def _compact(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def document_body(snapshot: CategoryRecords, fmt: str) -> bytes:
    """The bytes a category document endpoint serves in `fmt`."""
    category = snapshot.category
    info = CATEGORIES[category]
    if fmt == V2:
        return _compact(v2_document(snapshot))
    if info.managed_elsewhere:
        return b"{}"
    if category == Category.TEXT_GENERATION:
        if fmt == V1_GROUPED:
            return _compact(text_groups.db_document_with_groups([r.data for r in snapshot.records]))
        return text_db_file(snapshot).encode()
    if not info.legacy_file:
        return b""
    return legacy_file(snapshot).encode()

"""The read pipeline's renderer: a category's stored records (and its legacy file's profile) in,
the bytes of every document and file out. Pure functions; no ORM, no I/O.

`catalog.selectors.category_records` gives the input; the document cache (catalog/documents.py)
and the exporter (apps/sync) only store or write what comes out, so the API, the export files
and the GitHub sync serve one rendering.

Formats of a category document:
- `V1`: the legacy file as served by v1 (text: db.json; lora/ti: `{}`, or the legacy file's
  bytes when it is a non-object document with content, as lora.json's list of ids was);
- `V1_GROUPED`: text only, db.json entries with their group fields (`include_group=true`);
- `V2`: `{name: v2 record}`, compact.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from apps.catalog.categories import CATEGORIES, TEXT_DB_FILE, Category, Repo
from apps.catalog.formats import jsonfile, legacy, text_file, text_groups, v2

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
    position: int | None = None  # its place in the file (None: its index in the list)


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
        return text_file.render_models_csv(records, text_file.CsvProfile.from_dict(snapshot.profile))
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
    """The text repo's generated db.json (from every row of models.csv, kept rows included)."""
    return text_file.render_db_json(snapshot.records, text_file.CsvProfile.from_dict(snapshot.profile))


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
        return _managed_elsewhere_body(snapshot)
    if category == Category.TEXT_GENERATION:
        if fmt == V1_GROUPED:
            profile = text_file.CsvProfile.from_dict(snapshot.profile)
            return _compact(text_groups.db_document_with_groups(snapshot.records, profile))
        return text_db_file(snapshot).encode()
    if not info.legacy_file:
        return b""
    return legacy_file(snapshot).encode()


def _managed_elsewhere_body(snapshot: CategoryRecords) -> bytes:
    """lora/ti in v1: upstream's `{}`, unless the legacy file kept a document with content (a
    list of ids), which v1 serves as it is."""
    if snapshot.records or not CATEGORIES[snapshot.category].legacy_file:
        return b"{}"
    kept = jsonfile.JsonProfile.from_dict(snapshot.profile).empty
    return legacy_file(snapshot).encode() if jsonfile.has_content(kept) else b"{}"

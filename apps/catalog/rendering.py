"""Category documents from stored records: legacy files, db.json and v2 documents. Pure functions.

Selectors fetch `StoredRecord`s; these functions turn them into text. Nothing here touches the
database, so the exporter, the read API and the tests share one renderer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from apps.catalog.categories import CATEGORIES, Category
from apps.catalog.formats import jsonfile, legacy, text_csv, v2


@dataclass(frozen=True)
class StoredRecord:
    name: str
    data: dict
    layout: dict | None = None
    meta: v2.RecordMeta = field(default_factory=v2.RecordMeta)


def render_legacy_category(category: Category, records: list[StoredRecord], profile: dict | None) -> str:
    """The category's legacy file (models.csv for text), byte-identical to what was imported."""
    if category == Category.TEXT_GENERATION:
        return text_csv.render_models_csv([r.data for r in records], text_csv.CsvProfile.from_dict(profile))
    members = (
        jsonfile.Member(
            legacy.legacy_key(r.data),
            legacy.legacy_from_data(category, r.data),
            jsonfile.Layout.from_dict(r.layout),
        )
        for r in records
    )
    return jsonfile.render_document(members, jsonfile.JsonProfile.from_dict(profile))


def legacy_document(category: Category, records: list[StoredRecord]) -> dict:
    """The legacy records as a dict (v1 shape) without file formatting."""
    if category == Category.TEXT_GENERATION:
        return text_csv.db_document([r.data for r in records])
    return {legacy.legacy_key(r.data): legacy.legacy_from_data(category, r.data) for r in records}


def render_text_db(records: list[StoredRecord]) -> str:
    return text_csv.render_db_json([r.data for r in records])


def v2_document(category: Category, records: list[StoredRecord]) -> dict:
    return {r.name: v2.render_record(category, r.data, r.meta) for r in records}


def render_v2_file(document: dict) -> str:
    """A v2 category file: indent 4, UTF-8, a final newline."""
    return json.dumps(document, indent=4, ensure_ascii=False) + "\n"


def legacy_export_path(category: Category) -> str | None:
    info = CATEGORIES[category]
    if not info.legacy_file:
        return None
    return f"{info.repo.value}/{info.legacy_file}"

"""Reads from the catalog."""

from __future__ import annotations

from django.db.models import Count

from apps.catalog import rendering
from apps.catalog.categories import CATEGORIES, TEXT_DB_FILE, Category, Repo
from apps.catalog.formats.v2 import RecordMeta
from apps.catalog.formats.v2 import render_record as v2_render
from apps.catalog.models import CategoryMetadata, ModelRecord, SourceFormat
from apps.core import clock


def stored_records(category: Category) -> list[rendering.StoredRecord]:
    """The category's records in file order, as the renderers take them."""
    rows = (
        ModelRecord.objects.filter(category=category.value)
        .order_by("position", "id")
        .values_list("name", "data", "legacy_layout", "created_at", "updated_at", "created_by", "updated_by")
    )
    return [
        rendering.StoredRecord(
            name, data, layout, RecordMeta(clock.unix(created), clock.unix(updated), created_by, updated_by)
        )
        for name, data, layout, created, updated, created_by, updated_by in rows
    ]


def source_profile(category: Category) -> dict | None:
    return SourceFormat.objects.filter(category=category.value).values_list("profile", flat=True).first()


def legacy_category_files(
    category: Category, records: list[rendering.StoredRecord] | None = None
) -> dict[str, str]:
    """The category's legacy files by relative path (`image/x.json`; text: models.csv and db.json)."""
    path = rendering.legacy_export_path(category)
    if path is None:
        return {}
    records = stored_records(category) if records is None else records
    files = {path: rendering.render_legacy_category(category, records, source_profile(category))}
    if CATEGORIES[category].repo == Repo.TEXT:
        files[f"text/{TEXT_DB_FILE}"] = rendering.render_text_db(records)
    return files


def legacy_export_files() -> dict[str, str]:
    """Every legacy file (`image/*.json`, `text/models.csv`, `text/db.json`) by relative path."""
    files = {}
    for category in CATEGORIES:
        files.update(legacy_category_files(category))
    return files


def v2_export_files() -> dict[str, str]:
    """Every v2 category file, empty categories included (as `{}`)."""
    return {
        info.v2_file: rendering.render_v2_file(rendering.v2_document(category, stored_records(category)))
        for category, info in CATEGORIES.items()
    }


def category_counts() -> dict[str, int]:

    counts = dict(ModelRecord.objects.values_list("category").annotate(n=Count("id")))
    return {c.value: counts.get(c.value, 0) for c in Category}


def record_v2(category: Category, name: str) -> dict | None:
    """One record in the v2 shape, by its unique (category, name) index; None when absent."""
    row = (
        ModelRecord.objects.filter(category=category.value, name=name)
        .values_list("data", "created_at", "updated_at", "created_by", "updated_by")
        .first()
    )
    if row is None:
        return None
    data, created, updated, created_by, updated_by = row
    return v2_render(
        category, data, RecordMeta(clock.unix(created), clock.unix(updated), created_by, updated_by)
    )


def category_metadata_rows() -> list[CategoryMetadata]:
    """Every category's metadata row (created on first read, as upstream initialises it)."""
    rows = list(CategoryMetadata.objects.all())
    if len(rows) < len(Category):
        from apps.catalog.services import category_metadata_ensure_all

        category_metadata_ensure_all()
        rows = list(CategoryMetadata.objects.all())
    order = {c.value: i for i, c in enumerate(Category)}
    return sorted(rows, key=lambda r: order[r.category])

"""Writing a record's row with its projections (typed columns, tag rows, download rows)."""

from __future__ import annotations

from apps.catalog.categories import Category
from apps.catalog.formats.v2 import RecordMeta
from apps.catalog.models import DownloadFile, ModelRecord, RecordTag
from apps.catalog.projections import PROJECTED_COLUMNS, record_columns, record_downloads, record_tags
from apps.core import clock
from apps.core.bulk import rows_insert, unsaved

UPDATE_FIELDS = [
    "data",
    "position",
    "legacy_layout",
    "version",
    "updated_at",
    "updated_by",
    "created_at",
    *PROJECTED_COLUMNS,
]


def record_new(
    category: Category,
    name: str,
    data: dict,
    position: int,
    layout: dict | None,
    meta: RecordMeta,
    now,
) -> ModelRecord:
    record = unsaved(
        ModelRecord,
        category=category.value,
        name=name,
        version=0,
        created_at=clock.from_unix(meta.created_at) or now,
        created_by=meta.created_by,
    )
    record_assign(record, category, data, position, layout, meta, now)
    return record


def record_assign(
    record: ModelRecord,
    category: Category,
    data: dict,
    position: int,
    layout: dict | None,
    meta: RecordMeta,
    now,
) -> None:
    record.data = data
    record.position = position
    record.legacy_layout = layout
    record.version += 1
    record.updated_at = clock.from_unix(meta.updated_at) or now
    record.updated_by = meta.updated_by
    if meta.created_at is not None:
        record.created_at = clock.from_unix(meta.created_at)
    for column, value in record_columns(category, data).items():
        setattr(record, column, value)


def replace_projections(*, created: list[ModelRecord], updated: list[ModelRecord]) -> None:
    """Write the tag and download rows of `created` rows and replace those of `updated` ones."""
    if updated:
        ids = [r.pk for r in updated]
        RecordTag.objects.filter(record_id__in=ids).delete()
        DownloadFile.objects.filter(record_id__in=ids).delete()
    records = [*created, *updated]
    rows_insert(
        [unsaved(RecordTag, record_id=r.pk, tag=t) for r in records for t in record_tags(r.data)],
        batch_size=1000,
    )
    rows_insert(
        [unsaved(DownloadFile, record_id=r.pk, **row) for r in records for row in record_downloads(r.data)],
        batch_size=1000,
    )

"""Writing a record's row with its projections (typed columns, tag rows, download rows)."""

from __future__ import annotations

from apps.catalog.categories import Category
from apps.catalog.formats.v2 import RecordMeta
from apps.catalog.models import DownloadFile, ModelRecord, RecordTag
from apps.catalog.projections import PROJECTED_COLUMNS, record_columns, record_downloads, record_tags
from apps.core import clock

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
    record = ModelRecord(
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


def replace_projections(records: list[ModelRecord]) -> None:
    if not records:
        return
    ids = [r.pk for r in records]
    RecordTag.objects.filter(record_id__in=ids).delete()
    DownloadFile.objects.filter(record_id__in=ids).delete()
    RecordTag.objects.bulk_create(
        [RecordTag(record=r, tag=t) for r in records for t in record_tags(r.data)], batch_size=1000
    )
    DownloadFile.objects.bulk_create(
        [DownloadFile(record=r, **row) for r in records for row in record_downloads(r.data)], batch_size=1000
    )

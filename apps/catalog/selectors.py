"""Reads from the catalog."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.db import connection

from apps.catalog.categories import Category
from apps.catalog.formats.render import CategoryRecords, StoredRecord
from apps.catalog.formats.v2 import RecordMeta
from apps.catalog.formats.v2 import render_record as v2_render
from apps.catalog.models import CategoryMetadata, ModelRecord, SourceFormat
from apps.core import clock

_STORED_FIELDS = (
    "name",
    "data",
    "legacy_layout",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
    "position",
)


def _stored(row) -> StoredRecord:
    name, data, layout, created, updated, created_by, updated_by, position = row
    return StoredRecord(
        name,
        data,
        layout,
        RecordMeta(clock.unix(created), clock.unix(updated), created_by, updated_by),
        position,
    )


def stored_records(category: Category) -> list[StoredRecord]:
    """The category's records in file order, as the renderer takes them."""
    rows = ModelRecord.objects.filter(category=category.value).order_by("position", "id")
    return [_stored(row) for row in rows.values_list(*_STORED_FIELDS)]


@dataclass(frozen=True)
class RecordStubs:
    """A category's records without their data, in file order, as parallel lists: what says which
    version of each record a rendered piece is of (every write bumps `version`)."""

    ids: list[int]
    versions: list[int]
    names: list[str]
    positions: list[int]


def record_stubs(category: Category) -> RecordStubs:
    """The category's records in file order, without their data (catalog/assembly.py). One plain
    query: at 100 times today's catalog the ORM's per-row work was most of an assembly's cost."""
    table = ModelRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, version, name, position FROM {table} WHERE category = %s ORDER BY position, id",
            [category.value],
        )
        rows = cursor.fetchall()
    return RecordStubs([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows])


def record_changes(category: Category, since: int) -> list[tuple[int, int]]:
    """(id, version) of the category's rows written after revision `since` (the changes feed)."""
    table = ModelRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, version FROM {table} WHERE category = %s AND revision > %s", [category.value, since]
        )
        return cursor.fetchall()


def stored_records_by_id(ids: list[int]) -> dict[int, StoredRecord]:
    """Some records as the renderer takes them, by id (in batches: a query's parameters are bounded)."""
    out: dict[int, StoredRecord] = {}
    for start in range(0, len(ids), 2000):
        rows = ModelRecord.objects.filter(id__in=ids[start : start + 2000]).values_list("id", *_STORED_FIELDS)
        out.update((row[0], _stored(row[1:])) for row in rows)
    return out


def source_profile(category: Category) -> dict | None:
    return SourceFormat.objects.filter(category=category.value).values_list("profile", flat=True).first()


def category_records(category: Category) -> CategoryRecords:
    """What every document and file of the category is rendered from (formats/render.py)."""
    return CategoryRecords(category, stored_records(category), source_profile(category))


def category_revision(category: Category) -> tuple[int, int]:
    """The category's committed revision and its last update (unix seconds); (0, 0) before any."""
    row = (
        CategoryMetadata.objects.filter(category=category.value)
        .values_list("revision", "last_updated")
        .first()
    )
    if row is None:
        return 0, 0
    return row[0], clock.unix(row[1]) or 0


@dataclass(frozen=True)
class CategoryState:
    revision: int  # bumped by every committed change
    last_updated: int  # unix seconds
    shape_revision: int  # the last revision that added, removed or moved a record
    epoch: UUID | None  # the metadata row's own: a new row counts its revisions from 1 again


def category_state(category: Category) -> CategoryState:
    """The category's revision, last update, shape revision and epoch; zeros before any write."""
    row = (
        CategoryMetadata.objects.filter(category=category.value)
        .values_list("revision", "last_updated", "shape_revision", "epoch")
        .first()
    )
    if row is None:
        return CategoryState(0, 0, 0, None)
    return CategoryState(row[0], clock.unix(row[1]) or 0, row[2], row[3])


def category_revisions() -> dict[str, int]:
    """Every category's committed revision."""
    return dict(CategoryMetadata.objects.values_list("category", "revision"))


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


def live_record_data() -> dict[tuple[str, str], dict]:
    """Every record's data by (category, name): what the audit trail must rebuild."""
    return {(c, n): d for c, n, d in ModelRecord.objects.values_list("category", "name", "data")}


def record_count() -> int:
    return ModelRecord.objects.count()


def records_data(category: Category, *, text_model_group: str | None = None) -> list[tuple[str, dict]]:
    """`(name, data)` of the category's records in file order; optionally of one text model group
    (the indexed `text_model_group` column, equal to the stored value, case-sensitive)."""
    rows = ModelRecord.objects.filter(category=category.value)
    if text_model_group is not None:
        rows = rows.filter(text_model_group=text_model_group)
    return list(rows.order_by("position", "id").values_list("name", "data"))


def record_exists(category: Category, name: str) -> bool:
    return ModelRecord.objects.filter(category=category.value, name=name).exists()


def record_ids(category: Category, names: list[str]) -> dict[str, int]:
    """The row ids of the named records (for links), by name."""
    return dict(ModelRecord.objects.filter(category=category.value, name__in=names).values_list("name", "id"))

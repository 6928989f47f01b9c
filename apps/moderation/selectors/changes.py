"""Reads of the queue: changes by filter, one change, diffs against the live records, the
pending channel. They return domain values (model rows, dataclasses); the API's serializers
(apps/api/queue/serializers.py) give them their wire shape."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from apps.catalog.categories import Category
from apps.catalog.formats import legacy as legacy_format
from apps.catalog.formats import text_csv
from apps.catalog.formats import v2 as v2_format
from apps.catalog.models import ModelRecord
from apps.core import clock
from apps.moderation import diff
from apps.moderation.models import PendingChange
from apps.moderation.payloads import payload_to_data

Status = PendingChange.Status
_FETCH = object()  # change_diff: look the live record up


@dataclass(frozen=True)
class ChangeFilter:
    statuses: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    batch_id: int | None = None
    model_name: str | None = None
    requested_by: tuple[str, ...] = ()


@dataclass
class ChangePage:
    items: list[PendingChange] = field(default_factory=list)
    total: int = 0
    offset: int = 0
    limit: int = 50


def change_queryset(filters: ChangeFilter) -> QuerySet:
    changes = PendingChange.objects.all()
    if filters.statuses:
        changes = changes.filter(status__in=filters.statuses)
    if filters.categories:
        changes = changes.filter(category__in=filters.categories)
    if filters.batch_id is not None:
        changes = changes.filter(batch_id=filters.batch_id)
    if filters.model_name:
        changes = changes.filter(model_name__icontains=filters.model_name)
    if filters.requested_by:
        changes = changes.filter(requested_by__in=filters.requested_by)
    return changes.order_by("id")


def change_get(change_id: int) -> PendingChange | None:
    return PendingChange.objects.filter(pk=change_id).first()


def change_list(filters: ChangeFilter, *, offset: int = 0, limit: int = 50) -> ChangePage:
    changes = change_queryset(filters)
    return ChangePage(list(changes[offset : offset + limit]), changes.count(), offset, limit)


# --- states in the canonical format -------------------------------------------------------------


def record_state(record: ModelRecord | None, payload_format: str) -> dict | None:
    """The live record as a reviewer compares it: v2 record, or the legacy record for legacy changes."""
    if record is None:
        return None
    category = Category(record.category)
    if payload_format == PendingChange.Format.LEGACY:
        if category == Category.TEXT_GENERATION:
            return text_csv.db_entries(record.data)[0][1]
        return legacy_format.legacy_from_data(category, record.data)
    meta = v2_format.RecordMeta(
        clock.unix(record.created_at), clock.unix(record.updated_at), record.created_by, record.updated_by
    )
    return v2_format.render_record(category, record.data, meta)


def change_diff(change: PendingChange, *, record: ModelRecord | object | None = _FETCH) -> diff.ChangeDiff:
    """PendingChangeDiff: the live record against the proposal (for a delete: the snapshot).

    `record` is the live record when the caller already holds it (None: there is none).
    """
    current = record
    if current is _FETCH:
        current = ModelRecord.objects.filter(category=change.category, name=change.model_name).first()
    return diff.change_diff(
        change_id=change.pk,
        category=Category(change.category),
        model_name=change.model_name,
        operation=change.operation,
        current=record_state(current, change.payload_format),
        proposed=change.payload,
    )


def proposal_diff(
    *,
    category: Category,
    name: str,
    operation: str,
    payload_format: str,
    current: ModelRecord | None,
    payload: dict | None,
) -> diff.ChangeDiff:
    """A proposal not queued yet against the live record, as its change page will show it once
    queued (`change_id` 0: it has none yet)."""
    return diff.change_diff(
        change_id=0,
        category=category,
        model_name=name,
        operation=operation,
        current=record_state(current, payload_format),
        proposed=payload,
    )


def payload_as_v2(change: PendingChange) -> dict:
    """A change's payload shown as a v2 record (legacy payloads converted)."""
    if change.payload_format == PendingChange.Format.V2:
        return change.payload
    return v2_format.render_record(Category(change.category), payload_to_data(change), v2_format.RecordMeta())


def pending_records(category: Category) -> dict[str, dict]:
    """The beta channel: the latest pending or approved create/update of each model, as v2 records."""
    changes = PendingChange.objects.filter(
        category=category.value,
        status__in=[Status.PENDING, Status.APPROVED],
        operation__in=[PendingChange.Operation.CREATE, PendingChange.Operation.UPDATE],
    ).order_by("updated_at", "id")
    latest: dict[str, PendingChange] = {}
    for change in changes:
        latest[change.model_name] = change
    return {name: payload_as_v2(change) for name, change in sorted(latest.items())}

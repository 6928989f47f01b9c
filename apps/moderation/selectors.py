"""Reads of the queue: change records in upstream's shape, lists, diffs, the pending channel."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from apps.catalog.categories import Category
from apps.catalog.formats import legacy as legacy_format
from apps.catalog.formats import text_csv
from apps.catalog.formats import v2 as v2_format
from apps.catalog.formats.text_writes import (
    text_data_complete,
    text_payload_prepare,
    v2_payload_from_db_entry,
)
from apps.catalog.models import ModelRecord
from apps.core import clock
from apps.moderation import diff
from apps.moderation.models import PendingChange

Status = PendingChange.Status
_TIMES = ("requested_at", "approved_at", "rejected_at", "applied_at", "updated_at")


def iso(moment) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def change_body(change: PendingChange, *, keep_nulls: bool = False) -> dict:
    """A PendingChangeRecord: upstream's fields (nulls left out unless asked) plus `base_version`."""
    body = {
        "change_id": change.pk,
        "category": change.category,
        "model_name": change.model_name,
        "operation": change.operation,
        "payload": change.payload,
        "requested_by": change.requested_by,
        "requested_username": change.requested_username,
        "requested_at": iso(change.requested_at),
        "status": change.status,
        "notes": change.notes,
        "batch_id": change.batch_id,
        "batch_title": change.batch_title,
        "approved_by": change.approved_by,
        "approved_username": change.approved_username,
        "approved_at": iso(change.approved_at),
        "rejected_by": change.rejected_by,
        "rejected_username": change.rejected_username,
        "rejected_at": iso(change.rejected_at),
        "reject_reason": change.reject_reason,
        "applied_at": iso(change.applied_at),
        "applied_by": change.applied_by,
        "applied_username": change.applied_username,
        "applied_job_id": change.applied_job_id,
        "updated_at": iso(change.updated_at),
        "request_metadata": change.request_metadata,
        "related_models": change.related_models,
        "base_version": change.base_version,
        "last_error": change.last_error,
    }
    return body if keep_nulls else {k: v for k, v in body.items() if v is not None}


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


def change_diff(change: PendingChange) -> dict:
    """PendingChangeDiff: the live record against the proposal (for a delete: the snapshot)."""
    current = ModelRecord.objects.filter(category=change.category, name=change.model_name).first()
    return diff.change_diff(
        change_id=change.pk,
        category=Category(change.category),
        model_name=change.model_name,
        operation=change.operation,
        current=record_state(current, change.payload_format),
        proposed=change.payload,
    )


def payload_as_v2(change: PendingChange) -> dict:
    """A change's payload shown as a v2 record (legacy payloads converted)."""
    category = Category(change.category)
    if change.payload_format == PendingChange.Format.V2:
        return change.payload
    if category == Category.TEXT_GENERATION:
        data = text_data_complete(
            v2_format.validate_record(
                category, text_payload_prepare(v2_payload_from_db_entry(change.payload))
            )
        )
    else:
        data = legacy_format.data_from_legacy(category, change.model_name, change.payload)
    return v2_format.render_record(category, data, v2_format.RecordMeta())


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

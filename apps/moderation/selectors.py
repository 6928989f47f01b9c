"""Reads of the queue: change records in upstream's shape, lists, diffs, the pending channel."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from apps.audit.models import AuditEvent
from apps.catalog.categories import Category
from apps.catalog.formats import legacy as legacy_format
from apps.catalog.formats import text_csv
from apps.catalog.formats import v2 as v2_format
from apps.catalog.models import ModelRecord
from apps.core import clock
from apps.moderation import diff
from apps.moderation.models import PendingChange
from apps.moderation.services.common import payload_to_data

Status = PendingChange.Status
_TIMES = ("requested_at", "approved_at", "rejected_at", "applied_at", "updated_at")
_FETCH = object()  # change_diff: look the live record up


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


def change_diff(change: PendingChange, *, record: ModelRecord | object | None = _FETCH) -> dict:
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


# --- the admin desk -----------------------------------------------------------------------------

OPEN = (Status.PENDING, Status.APPROVED)


def change_status_counts(*, requested_by: str | None = None) -> list[tuple[str, str, int]]:
    """(status, label, count) for every status, in lifecycle order; one query."""
    changes = PendingChange.objects.order_by()
    if requested_by is not None:
        changes = changes.filter(requested_by=requested_by)
    counts = dict(changes.values_list("status").annotate(n=Count("id")))
    return [(s.value, s.label, counts.get(s.value, 0)) for s in Status]


def critical_flags(changes) -> dict[int, bool]:
    """Whether each open change touches a critical field, against the live records (one query).

    Closed changes are left out: once applied or rejected, the live record no longer says what
    the change did (`applied_diff` does).
    """
    open_changes = [c for c in changes if c.status in OPEN]
    if not open_changes:
        return {}
    wanted = Q()
    for change in open_changes:
        wanted |= Q(category=change.category, name=change.model_name)
    records = {(r.category, r.name): r for r in ModelRecord.objects.filter(wanted)}
    return {
        c.pk: change_diff(c, record=records.get((c.category, c.model_name)))["is_critical"]
        for c in open_changes
    }


def applied_write(change: PendingChange) -> AuditEvent | None:
    """The record write an applied change made (its audit event carries the apply's job id)."""
    if not change.applied_job_id:
        return None
    return (
        AuditEvent.objects.filter(
            request_id=change.applied_job_id, category=change.category, model_name=change.model_name
        )
        .order_by("id")
        .first()
    )


def applied_diff(change: PendingChange) -> dict | None:
    """What applying the change did to the record, from its audit event: a PendingChangeDiff with
    the record before as `current_state` and after as `proposed_state` (v2 views)."""
    event = applied_write(change)
    if event is None:
        return None
    category = Category(change.category)

    def view(data):
        return None if data is None else v2_format.render_record(category, data, v2_format.RecordMeta())

    return diff.change_diff(
        change_id=change.pk,
        category=category,
        model_name=change.model_name,
        operation=change.operation,
        current=view(event.payload.get("before")),
        proposed=view(event.payload.get("after")),
    )


def change_events(change: PendingChange) -> list[AuditEvent]:
    """The change's queue steps and, once applied, the record write it made; oldest first."""
    steps = Q(category=AuditEvent.QUEUE_CATEGORY, model_name=str(change.pk))
    if change.applied_job_id:
        steps |= Q(request_id=change.applied_job_id, category=change.category, model_name=change.model_name)
    return list(AuditEvent.objects.filter(steps).order_by("id"))


def record_history(category: str, name: str, *, limit: int = 50) -> list[AuditEvent]:
    """The record's audit events (imports, applied changes), newest first."""
    events = AuditEvent.objects.filter(category=category, model_name=name).order_by("-id")
    return list(events[:limit])


def record_changes(category: str, name: str, *, limit: int = 20) -> list[PendingChange]:
    """Changes proposed for the record, newest first."""
    return list(PendingChange.objects.filter(category=category, model_name=name).order_by("-id")[:limit])


def live_record(category: str, name: str) -> ModelRecord | None:
    """The live record a change is about (id, category and name only), for links."""
    return ModelRecord.objects.filter(category=category, name=name).only("id", "category", "name").first()

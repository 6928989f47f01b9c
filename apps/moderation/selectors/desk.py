"""Reads for the admin desk: counts per status, critical flags, what an applied change did, the
history of a change and of a record."""

from __future__ import annotations

from django.db.models import Count, Q

from apps.audit.models import AuditEvent
from apps.catalog.categories import Category
from apps.catalog.formats import v2 as v2_format
from apps.catalog.models import ModelRecord
from apps.moderation import diff
from apps.moderation.models import PendingChange
from apps.moderation.selectors.changes import change_diff

Status = PendingChange.Status

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
    return {change.pk: found.is_critical for change, found in proposed_diffs(list(changes))}


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


def applied_diff(change: PendingChange) -> diff.ChangeDiff | None:
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


def proposed_diffs(changes: list[PendingChange]) -> list[tuple[PendingChange, diff.ChangeDiff]]:
    """Each open change with its diff against the live record (one query for the records)."""
    open_changes = [c for c in changes if c.status in OPEN]
    if not open_changes:
        return []
    wanted = Q()
    for change in open_changes:
        wanted |= Q(category=change.category, name=change.model_name)
    records = {(r.category, r.name): r for r in ModelRecord.objects.filter(wanted)}
    return [(c, change_diff(c, record=records.get((c.category, c.model_name)))) for c in open_changes]


def open_changes(category: str, names: list[str]) -> list[PendingChange]:
    """Pending or approved changes of the named records, oldest first."""
    return list(
        PendingChange.objects.filter(category=category, model_name__in=names, status__in=OPEN).order_by("id")
    )

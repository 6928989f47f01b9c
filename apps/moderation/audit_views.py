"""Selectors behind `…/pending_queue/audit/…`: open changes, batch history, net changes of a batch."""

from __future__ import annotations

from django.db.models import Count, Max, Q

from apps.audit.models import AuditEvent
from apps.catalog.categories import Category
from apps.catalog.formats import v2 as v2_format
from apps.core import clock
from apps.moderation import diff
from apps.moderation.models import PendingChange, ReviewBatch
from apps.moderation.selectors import change_body, iso

Status = PendingChange.Status


def audit_current(domain: str) -> dict:
    pending = PendingChange.objects.filter(status=Status.PENDING).order_by("-id")
    return {
        "domain": domain,
        "pending_changes": [change_body(c) for c in pending],
        "total_pending": pending.count(),
        "generated_at": iso(clock.now()),
    }


def _queue_events(change_ids: list[int]):
    return AuditEvent.objects.filter(
        category=AuditEvent.QUEUE_CATEGORY, model_name__in=[str(i) for i in change_ids]
    ).order_by("id")


def batch_summary(batch: ReviewBatch) -> dict:
    counts = batch.changes.aggregate(
        approved=Count("id", filter=Q(status__in=[Status.APPROVED, Status.APPLIED])),
        rejected=Count("id", filter=Q(status=Status.REJECTED)),
        applied=Count("id", filter=Q(status=Status.APPLIED)),
        total=Count("id"),
    )
    ids = list(batch.changes.values_list("id", flat=True))
    last_event = _queue_events(ids).aggregate(last=Max("id"))["last"] if ids else None
    return {
        "batch_id": batch.pk,
        "batch_title": batch.title,
        "approved_by": batch.approved_by,
        "approved_at": iso(batch.approved_at),
        "applied_at": iso(batch.applied_at),
        "approved_change_count": counts["approved"],
        "rejected_change_count": counts["rejected"],
        "applied_change_count": counts["applied"],
        "total_change_count": counts["total"],
        "last_event_id": last_event,
    }


def audit_batches(domain: str, *, cursor: int | None, limit: int) -> dict:
    """Batches newest first, `batch_id < cursor`; `next_cursor` is the last id when more remain."""
    batches = ReviewBatch.objects.order_by("-id")
    if cursor is not None:
        batches = batches.filter(pk__lt=cursor)
    page = list(batches[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return {
        "domain": domain,
        "batches": [batch_summary(b) for b in page],
        "next_cursor": page[-1].pk if more and page else None,
    }


def audit_batch(batch: ReviewBatch, domain: str) -> dict:
    changes = list(batch.changes.order_by("id"))
    events = _queue_events([c.pk for c in changes])
    return {
        **batch_summary(batch),
        "domain": domain,
        "changes": [change_body(c) for c in changes],
        "events": [
            {
                "event_id": e.pk,
                "timestamp": iso(e.timestamp),
                "action": e.payload["after"].get("action"),
                "logical_user_id": e.actor_id,
                "payload": e.payload,
            }
            for e in events
        ],
    }


def batch_timeline(batch: ReviewBatch) -> list[AuditEvent]:
    """Everything the batch's changes went through, oldest first: the queue steps (enqueue,
    approve, reject, apply, split) and the record writes their applies made."""
    changes = list(batch.changes.values_list("id", "applied_job_id"))
    steps = Q(category=AuditEvent.QUEUE_CATEGORY, model_name__in=[str(i) for i, _ in changes])
    jobs = [job for _, job in changes if job]
    if jobs:
        steps |= Q(request_id__in=jobs) & ~Q(category=AuditEvent.QUEUE_CATEGORY)
    return list(AuditEvent.objects.filter(steps).order_by("id"))


def _v2_view(category: Category, data: dict | None) -> dict | None:
    return None if data is None else v2_format.render_record(category, data, v2_format.RecordMeta())


def audit_net_changes(batch: ReviewBatch, domain: str) -> dict:
    """What the batch did to each model: its state before the batch's first write and after its last."""
    applied = list(batch.changes.filter(status=Status.APPLIED).order_by("id"))
    jobs = {c.applied_job_id for c in applied}
    events = AuditEvent.objects.filter(request_id__in=jobs).exclude(category=AuditEvent.QUEUE_CATEGORY)
    by_model: dict[tuple[str, str], list[AuditEvent]] = {}
    for event in events.order_by("id"):
        by_model.setdefault((event.category, event.model_name), []).append(event)
    model_changes = []
    for (category_value, name), model_events in by_model.items():
        category = Category(category_value)
        before = _v2_view(category, model_events[0].payload.get("before"))
        after = _v2_view(category, model_events[-1].payload.get("after"))
        diffs = diff.field_diffs(before, after)
        model_changes.append(
            {
                "model_name": name,
                "category": category_value,
                "net_operation": diff.net_operation(before, after, diffs),
                "before_state": before,
                "after_state": after,
                "field_diffs": [d.__dict__ for d in diffs],
                "is_critical": any(diff.is_critical_path(category, d.field_path) for d in diffs),
            }
        )
    ops = [m["net_operation"] for m in model_changes]
    return {
        "batch_id": batch.pk,
        "batch_title": batch.title,
        "domain": domain,
        "model_changes": model_changes,
        "models_added": ops.count("added"),
        "models_modified": ops.count("modified"),
        "models_deleted": ops.count("deleted"),
        "models_unchanged": ops.count("unchanged"),
        "total_field_changes": sum(len(m["field_diffs"]) for m in model_changes),
        "has_critical_changes": any(m["is_critical"] for m in model_changes),
        "generated_at": iso(clock.now()),
    }

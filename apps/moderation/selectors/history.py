"""The queue's history: open changes, review batches with their counts and audit events, and what
a batch changed per model (replayed from the record events its applies wrote). Domain values;
the API renders them (apps/api/queue/serializers.py), the admin's batch pages show them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max, Q

from apps.audit.models import AuditEvent
from apps.catalog.categories import Category
from apps.catalog.formats import v2 as v2_format
from apps.moderation import diff
from apps.moderation.models import PendingChange, ReviewBatch

Status = PendingChange.Status


def pending_changes() -> list[PendingChange]:
    """Changes waiting for review, newest first."""
    return list(PendingChange.objects.filter(status=Status.PENDING).order_by("-id"))


def batch_get(batch_id: int) -> ReviewBatch | None:
    return ReviewBatch.objects.filter(pk=batch_id).first()


@dataclass(frozen=True)
class BatchSummary:
    batch: ReviewBatch
    approved_change_count: int
    rejected_change_count: int
    applied_change_count: int
    total_change_count: int
    last_event_id: int | None


def _queue_events(change_ids: list[int]):
    return AuditEvent.objects.filter(
        category=AuditEvent.QUEUE_CATEGORY, model_name__in=[str(i) for i in change_ids]
    ).order_by("id")


def batch_summary(batch: ReviewBatch) -> BatchSummary:
    counts = batch.changes.aggregate(
        approved=Count("id", filter=Q(status__in=[Status.APPROVED, Status.APPLIED])),
        rejected=Count("id", filter=Q(status=Status.REJECTED)),
        applied=Count("id", filter=Q(status=Status.APPLIED)),
        total=Count("id"),
    )
    ids = list(batch.changes.values_list("id", flat=True))
    last_event = _queue_events(ids).aggregate(last=Max("id"))["last"] if ids else None
    return BatchSummary(
        batch, counts["approved"], counts["rejected"], counts["applied"], counts["total"], last_event
    )


@dataclass(frozen=True)
class BatchPage:
    batches: list[BatchSummary]
    next_cursor: int | None  # the last batch id shown, when more remain


def batch_page(*, cursor: int | None, limit: int) -> BatchPage:
    """Batches newest first with `batch_id < cursor`."""
    batches = ReviewBatch.objects.order_by("-id")
    if cursor is not None:
        batches = batches.filter(pk__lt=cursor)
    page = list(batches[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return BatchPage([batch_summary(b) for b in page], page[-1].pk if more and page else None)


@dataclass(frozen=True)
class BatchHistory:
    summary: BatchSummary
    changes: list[PendingChange]
    events: list[AuditEvent]  # the queue steps of its changes, oldest first


def batch_history(batch: ReviewBatch) -> BatchHistory:
    changes = list(batch.changes.order_by("id"))
    return BatchHistory(batch_summary(batch), changes, list(_queue_events([c.pk for c in changes])))


def batch_timeline(batch: ReviewBatch) -> list[AuditEvent]:
    """Everything the batch's changes went through, oldest first: the queue steps (enqueue,
    approve, reject, apply, split) and the record writes their applies made."""
    changes = list(batch.changes.values_list("id", "applied_job_id"))
    steps = Q(category=AuditEvent.QUEUE_CATEGORY, model_name__in=[str(i) for i, _ in changes])
    jobs = [job for _, job in changes if job]
    if jobs:
        steps |= Q(request_id__in=jobs) & ~Q(category=AuditEvent.QUEUE_CATEGORY)
    return list(AuditEvent.objects.filter(steps).order_by("id"))


@dataclass(frozen=True)
class NetChange:
    """One model before the batch's first write to it and after its last (v2 views)."""

    model_name: str
    category: str
    net_operation: str
    before_state: dict | None
    after_state: dict | None
    field_diffs: list[diff.FieldDiff]
    is_critical: bool


@dataclass(frozen=True)
class BatchNetChanges:
    batch: ReviewBatch
    model_changes: list[NetChange]

    def _count(self, operation: str) -> int:
        return sum(1 for m in self.model_changes if m.net_operation == operation)

    @property
    def models_added(self) -> int:
        return self._count("added")

    @property
    def models_modified(self) -> int:
        return self._count("modified")

    @property
    def models_deleted(self) -> int:
        return self._count("deleted")

    @property
    def models_unchanged(self) -> int:
        return self._count("unchanged")

    @property
    def total_field_changes(self) -> int:
        return sum(len(m.field_diffs) for m in self.model_changes)

    @property
    def has_critical_changes(self) -> bool:
        return any(m.is_critical for m in self.model_changes)


def _v2_view(category: Category, data: dict | None) -> dict | None:
    return None if data is None else v2_format.render_record(category, data, v2_format.RecordMeta())


def batch_net_changes(batch: ReviewBatch) -> BatchNetChanges:
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
            NetChange(
                model_name=name,
                category=category_value,
                net_operation=diff.net_operation(before, after, diffs),
                before_state=before,
                after_state=after,
                field_diffs=diffs,
                is_critical=any(diff.is_critical_path(category, d.field_path) for d in diffs),
            )
        )
    return BatchNetChanges(batch, model_changes)

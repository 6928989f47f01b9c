"""Reviewing pending changes: approve some as a titled batch, reject others with a reason, and
give the second approval a change to one of the most used models needs (selectors/protection.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from apps.audit.services import Actor, audit_events_save
from apps.core import clock
from apps.core.errors import ApplicationError
from apps.moderation.models import PendingChange, ReviewBatch
from apps.moderation.selectors import REQUIRED_APPROVALS, change_protection, critical_flags, protections
from apps.moderation.services.common import queue_event

Status = PendingChange.Status


@dataclass
class ReviewResult:
    batch: ReviewBatch | None
    batch_title: str
    approved: list[PendingChange] = field(default_factory=list)
    rejected: list[PendingChange] = field(default_factory=list)


def _ids(values) -> list[int]:
    # Upstream ignores ids <= 0; duplicates count once, in first-seen order.
    return list(dict.fromkeys(int(v) for v in values or [] if int(v) > 0))


def changes_review(
    *, batch_title: str, approved_ids, rejected_ids, reject_reason: str | None, actor: Actor
) -> ReviewResult:
    """Approve `approved_ids` into a titled batch and reject `rejected_ids`, all or nothing.

    422 for the request's own mistakes (no ids, an id in both lists, a rejection without a reason,
    a blank title); 400 when a change does not exist or is not pending. Approved changes join one
    new batch, except when they all wait in one proposed batch: then that batch is approved, under
    the given title, and its pending changes not reviewed now move to a new proposed batch (a
    split, as when a batch is partly applied). Rejected changes join the approval batch when there
    is one; a reject-only review leaves them where they were (their proposed batch, or none). All
    carry the title. One audit event per change (and per split), in the same transaction.

    An approved change that still needs its second approval (a protected change) may be in
    `approved_ids` too: it gets the second approval and stays in its batch. 400 when the caller
    gave its first approval (two approvals must come from two approvers). Approvals of protected
    changes say in their audit event which approval (1 or 2 of 2) they are.
    """
    approved, rejected = _ids(approved_ids), _ids(rejected_ids)
    title = (batch_title or "").strip()
    if not approved and not rejected:
        raise ApplicationError("Provide at least one approved or rejected change id.", status=422)
    both = sorted(set(approved) & set(rejected))
    if both:
        raise ApplicationError(f"Change ids cannot be both approved and rejected: {both}", status=422)
    if rejected and not (reject_reason or "").strip():
        raise ApplicationError("reject_reason is required when rejecting changes.", status=422)
    if not title:
        raise ApplicationError("batch_title must not be blank.", status=422)
    now = clock.now()
    with transaction.atomic():
        changes = {
            c.pk: c for c in PendingChange.objects.select_for_update().filter(pk__in=approved + rejected)
        }
        seconds = []
        for change_id in approved + rejected:
            change = changes.get(change_id)
            if change is None:
                raise ApplicationError(f"Change {change_id} does not exist.")
            if change_id in approved and _awaits_second_approval(change, actor):
                seconds.append(change_id)
            elif change.status != Status.PENDING:
                raise ApplicationError(f"Change {change_id} is not pending (status={change.status}).")
        approved = [i for i in approved if i not in seconds]
        fresh = [changes[i] for i in approved]
        protected = protections(fresh, critical_flags(fresh))
        batch = _approval_batch([changes[i] for i in approved], title, actor) if approved else None
        result = ReviewResult(batch, title)
        events = []
        for change_id in approved:
            change = changes[change_id]
            change.status, change.batch, change.batch_title = Status.APPROVED, batch, title
            change.approved_by, change.approved_username, change.approved_at = actor.id, actor.name, now
            change.updated_at = now
            result.approved.append(change)
            count = (
                {"approval": 1, "approvals_required": REQUIRED_APPROVALS} if change_id in protected else {}
            )
            events.append(
                queue_event(change, actor, batch_id=batch.pk, batch_title=title, action="approve", **count)
            )
        for change_id in seconds:
            change = changes[change_id]
            change.second_approved_by, change.second_approved_username = actor.id, actor.name
            change.second_approved_at = change.updated_at = now
            result.approved.append(change)
            events.append(
                queue_event(
                    change,
                    actor,
                    batch_id=change.batch_id,
                    batch_title=change.batch_title,
                    action="approve",
                    approval=2,
                    approvals_required=REQUIRED_APPROVALS,
                )
            )
        for change_id in rejected:
            change = changes[change_id]
            change.status, change.batch_title = Status.REJECTED, title
            change.batch = batch or change.batch
            change.rejected_by, change.rejected_username, change.rejected_at = actor.id, actor.name, now
            change.reject_reason, change.updated_at = reject_reason.strip(), now
            result.rejected.append(change)
            events.append(
                queue_event(
                    change,
                    actor,
                    batch_id=change.batch_id,
                    batch_title=title,
                    reason=change.reject_reason,
                    action="reject",
                )
            )
        PendingChange.objects.bulk_update(
            result.approved + result.rejected,
            [
                "status",
                "batch",
                "batch_title",
                "approved_by",
                "approved_username",
                "approved_at",
                "second_approved_by",
                "second_approved_username",
                "second_approved_at",
                "rejected_by",
                "rejected_username",
                "rejected_at",
                "reject_reason",
                "updated_at",
            ],
        )
        if batch is not None and batch.proposed_at is not None:
            events += _split_unreviewed(batch, approved + rejected, actor)
        audit_events_save(events)
    return result


def _approval_batch(approving: list[PendingChange], title: str, actor: Actor) -> ReviewBatch:
    """The proposed batch all `approving` changes wait in, now approved; else a new batch."""
    now = clock.now()
    sources = {c.batch_id for c in approving}
    proposed = approving[0].batch if len(sources) == 1 and approving[0].batch_id else None
    if proposed is not None and proposed.is_proposed:
        proposed.title, proposed.approved_at = title, now
        proposed.approved_by, proposed.approved_username = actor.id, actor.name
        proposed.save(update_fields=["title", "approved_by", "approved_username", "approved_at"])
        return proposed
    return ReviewBatch.objects.create(
        title=title, approved_by=actor.id, approved_username=actor.name, approved_at=now, created_at=now
    )


def _split_unreviewed(batch: ReviewBatch, reviewed: list[int], actor: Actor) -> list:
    """Move the batch's pending changes left out of its approval to a new proposed batch."""
    left = list(batch.changes.filter(status=Status.PENDING).exclude(pk__in=reviewed).order_by("id"))
    if not left:
        return []
    now = clock.now()
    original_title = left[0].batch_title or batch.title
    new = ReviewBatch.objects.create(
        title=original_title,
        proposed_by=batch.proposed_by,
        proposed_username=batch.proposed_username,
        proposed_at=batch.proposed_at,
        created_at=now,
        split_from=batch,
    )
    PendingChange.objects.filter(pk__in=[c.pk for c in left]).update(batch=new, updated_at=now)
    ids = [c.pk for c in left]
    return [
        queue_event(
            left[0],
            actor,
            original_batch_id=batch.pk,
            new_batch_id=new.pk,
            reassigned_change_ids=ids,
            reason="partial_review",
            action="batch_split",
        )
    ]


def _awaits_second_approval(change: PendingChange, actor: Actor) -> bool:
    """True for an approved protected change short of its second approval, which `actor` may
    give; 400 when `actor` gave the first one."""
    if change.status != Status.APPROVED:
        return False
    protection = change_protection(change)
    if protection is None or protection.satisfied:
        return False
    if actor.id in [user_id for user_id, _ in protection.approvers]:
        raise ApplicationError(
            f"Change {change.pk} already has your approval ({actor.name}): {protection.reason}, so its "
            f"second approval must come from a different approver."
        )
    return True

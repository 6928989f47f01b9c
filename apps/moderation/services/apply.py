"""Applying approved changes to the live catalog.

`change_apply_one` is the one way a change reaches live data. Everything happens in one transaction:
the change row is locked (a second apply of the same change waits, then sees it applied), it
moves through `applying`, the record is written by `catalog.services.record_write` (which locks
the record row and refuses with 409 when the record's version is no longer the change's
`base_version`), the change becomes `applied` and the audit events are written. A failure rolls
all of it back, so a change is never left in `applying`; the failure is then noted on the change
(`last_error`) in a transaction of its own and the change stays approved.

`job_id` makes a retry harmless: applying an applied change again with the same job id answers
the applied change and writes nothing. Applying several changes goes in order and stops at the
first failure; approved changes of the batch left behind move to a new batch (upstream's batch
split), so a batch always names what was applied together.

A change to one of its category's most used records that touches a critical field is refused
(400, saying why and what to do) until two different approvers approved it
(selectors/protection.py); the rule is evaluated at apply time.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.db import transaction

from apps.audit.services import Actor, audit_events_save
from apps.catalog.categories import Category
from apps.catalog.services import RecordWrite, record_write
from apps.catalog.services.metadata import category_metadata_for_update
from apps.core import clock
from apps.core.errors import ApplicationError, NotFound
from apps.moderation.models import PendingChange, ReviewBatch
from apps.moderation.payloads import payload_to_data
from apps.moderation.selectors import change_protection
from apps.moderation.services.common import queue_event

Status = PendingChange.Status


@dataclass
class BatchSplit:
    original_batch_id: int
    new_batch_id: int
    reassigned_count: int


@dataclass
class ApplyReport:
    applied: list[PendingChange] = field(default_factory=list)
    failed_change_id: int | None = None
    failed_error: str | None = None
    failed_error_type: str | None = None
    failed_status: int | None = None
    split: BatchSplit | None = None
    replayed: bool = False  # the change was already applied by this job id: nothing written


def _reservation(change_id: int, job_id: str | None) -> str:
    return job_id or f"apply-{change_id}-{uuid.uuid4().hex[:12]}"


def change_apply_one(
    *, change_id: int, job_id: str | None, actor: Actor, require_batch: bool = True
) -> ApplyReport:
    """Apply one approved change. Raises ApplicationError (404, 400, 409, 503) on failure."""
    with transaction.atomic():
        change = PendingChange.objects.select_for_update().filter(pk=change_id).first()
        if change is None:
            raise NotFound("Change not found")
        if change.status == Status.APPLIED and job_id and change.applied_job_id == job_id:
            return ApplyReport(applied=[change], replayed=True)
        if change.status != Status.APPROVED:
            raise ApplicationError(f"Change {change.pk} is not approved (status={change.status}).")
        if require_batch and change.batch_id is None:
            raise ApplicationError("Cannot apply changes that have not been approved in a batch")
        if change.payload is None and change.operation != PendingChange.Operation.DELETE:
            raise ApplicationError(f"Change {change.pk} has no payload to apply.")
        protection = change_protection(change)
        if protection is not None and not protection.satisfied:
            raise ApplicationError(protection.refusal(change.pk))
        reservation = _reservation(change.pk, job_id)
        change.status = Status.APPLYING
        change.save(update_fields=["status"])
        record_write(
            write=_record_write(change), actor=Actor(actor.origin, actor.id, actor.name, reservation)
        )
        now = clock.now()
        change.status, change.applied_at, change.applied_by = Status.APPLIED, now, actor.id
        change.applied_username, change.applied_job_id = actor.name, reservation
        change.updated_at, change.last_error = now, None
        change.save(
            update_fields=[
                "status",
                "applied_at",
                "applied_by",
                "applied_username",
                "applied_job_id",
                "updated_at",
                "last_error",
            ]
        )
        audit_events_save(
            [queue_event(change, actor, batch_id=change.batch_id, job_id=reservation, action="apply")]
        )
        if change.batch_id:
            ReviewBatch.objects.filter(pk=change.batch_id).update(applied_at=now)
    return ApplyReport(applied=[change])


def _record_write(change: PendingChange) -> RecordWrite:
    Op = PendingChange.Operation
    data = None if change.operation == Op.DELETE else payload_to_data(change)
    return RecordWrite(
        category=Category(change.category),
        name=change.model_name,
        operation=change.operation,
        data=data,
        base_version=change.base_version,
        keep_legacy_residue=change.payload_format == PendingChange.Format.V2,
        author=change.requested_username,
        domain=change.payload_format,
    )


def _note_failure(change_id: int, error: ApplicationError) -> None:
    with transaction.atomic():
        change = PendingChange.objects.select_for_update().filter(pk=change_id).first()
        if change is None:
            return
        if change.status == Status.APPROVED:
            change.last_error = error.message
            change.save(update_fields=["last_error"])
        metadata = category_metadata_for_update(Category(change.category))
        metadata.error_count += 1
        metadata.save(update_fields=["error_count"])


def changes_apply(
    *,
    change_ids: list[int],
    job_id: str | None,
    actor: Actor,
    allow_mixed_batch: bool = False,
    single: bool = False,
) -> ApplyReport:
    """Apply changes in order, stopping at the first failure (reported, not raised).

    `single` is the one-change route: there a failure is raised instead of reported.
    """
    ids = list(dict.fromkeys(int(i) for i in change_ids if int(i) > 0))
    if not ids:
        raise ApplicationError("Provide at least one change id.", status=422)
    changes = {c.pk: c for c in PendingChange.objects.filter(pk__in=ids)}
    if not single:
        _check_cohesion([changes[i] for i in ids if i in changes], allow_mixed_batch)
    report = ApplyReport()
    for change_id in ids:
        try:
            step = change_apply_one(change_id=change_id, job_id=job_id, actor=actor)
        except ApplicationError as error:
            _note_failure(change_id, error)
            if single:
                raise
            report.failed_change_id, report.failed_error = change_id, error.message
            report.failed_error_type, report.failed_status = type(error).__name__, error.status
            break
        report.applied += step.applied
        report.replayed = step.replayed
    batch_ids = {c.batch_id for c in changes.values() if c.batch_id}
    if len(batch_ids) == 1 and report.applied and not report.replayed:
        report.split = _split_remaining(batch_ids.pop(), actor)
    return report


def _check_cohesion(changes: list[PendingChange], allow_mixed_batch: bool) -> None:
    if any(c.batch_id is None and c.status != Status.APPLIED for c in changes):
        raise ApplicationError("Cannot apply changes that have not been approved in a batch")
    batch_ids = sorted({c.batch_id for c in changes if c.batch_id})
    if len(batch_ids) > 1 and not allow_mixed_batch:
        raise ApplicationError(f"All changes must belong to the same batch. Found batch IDs: {batch_ids}")


def batch_apply(*, batch_id: int, job_id: str | None, actor: Actor) -> ApplyReport:
    """Apply every approved change of a batch (upstream's apply_batch)."""
    changes = list(PendingChange.objects.filter(batch_id=batch_id).order_by("id"))
    if not changes:
        raise NotFound(f"No changes found for batch {batch_id}")
    if all(c.status == Status.APPLIED for c in changes):
        return ApplyReport()
    approved = [c.pk for c in changes if c.status == Status.APPROVED]
    if not approved:
        raise NotFound(f"No approved changes found in batch {batch_id}")
    return changes_apply(change_ids=approved, job_id=job_id, actor=actor)


def _split_remaining(batch_id: int, actor: Actor) -> BatchSplit | None:
    """Move the batch's approved changes that were not applied to a new batch with the same title."""
    with transaction.atomic():
        left = list(
            PendingChange.objects.select_for_update().filter(batch_id=batch_id, status=Status.APPROVED)
        )
        if not left:
            return None
        original = ReviewBatch.objects.get(pk=batch_id)
        now = clock.now()
        new = ReviewBatch.objects.create(
            title=original.title,
            approved_by=original.approved_by,
            approved_username=original.approved_username,
            approved_at=original.approved_at,
            proposed_by=original.proposed_by,
            proposed_username=original.proposed_username,
            proposed_at=original.proposed_at,
            created_at=now,
            split_from=original,
        )
        PendingChange.objects.filter(pk__in=[c.pk for c in left]).update(batch=new, updated_at=now)
        audit_events_save(
            [
                queue_event(
                    left[0],
                    actor,
                    original_batch_id=batch_id,
                    new_batch_id=new.pk,
                    reassigned_change_ids=[c.pk for c in left],
                    reason="partial_apply",
                    action="batch_split",
                )
            ]
        )
    return BatchSplit(batch_id, new.pk, len(left))

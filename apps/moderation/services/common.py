"""Shared pieces of the queue services: the audit event of a queue step."""

from __future__ import annotations

from apps.audit.models import AuditEvent
from apps.audit.services import Actor, record_event
from apps.moderation.models import PendingChange


def queue_event(change: PendingChange, actor: Actor, **after) -> AuditEvent:
    """An unsaved audit event for one queue step (upstream: category pending_queue, operation update)."""
    return record_event(
        actor=actor,
        category=AuditEvent.QUEUE_CATEGORY,
        name=str(change.pk),
        operation=AuditEvent.Operation.UPDATE,
        after={"change_id": change.pk, **after},
        domain=change.payload_format,
    )

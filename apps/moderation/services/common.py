"""Shared pieces of the queue services: queue audit events, state guards, payload conversion."""

from __future__ import annotations

from apps.audit.models import AuditEvent
from apps.audit.services import Actor, record_event
from apps.catalog.categories import Category
from apps.catalog.formats import legacy as legacy_format
from apps.catalog.formats import v2 as v2_format
from apps.catalog.formats.text_writes import (
    text_data_complete,
    text_payload_prepare,
    v2_payload_from_db_entry,
)
from apps.core.errors import ApplicationError
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


def require_status(change: PendingChange, wanted: str, verb: str) -> None:
    if change.status != wanted:
        raise ApplicationError(f"Change {change.pk} is not {verb} (status={change.status}).")


def payload_to_data(change: PendingChange) -> dict:
    """The record data a change's payload stands for (v2 or legacy payloads)."""
    category = Category(change.category)
    if change.payload_format == PendingChange.Format.LEGACY:
        if category == Category.TEXT_GENERATION:
            prepared = text_payload_prepare(v2_payload_from_db_entry(change.payload))
            return text_data_complete(v2_format.validate_record(category, prepared))
        return legacy_format.data_from_legacy(category, change.model_name, change.payload)
    return v2_format.validate_record(category, change.payload)

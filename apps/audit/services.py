"""Writing audit events. Callers are services that already hold the write's transaction."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from apps.audit.models import AuditEvent
from apps.core import clock
from apps.core.bulk import rows_insert, unsaved

# pg_advisory_xact_lock key of record writes ("HMR" + 1); any number no other code uses.
RECORD_WRITES_LOCK = 0x484D5201


@dataclass(frozen=True)
class Actor:
    """Who did it and through what: an AI-Horde user, a Django admin user, or a command."""

    origin: str
    id: str | None = None
    name: str | None = None
    request_id: str | None = None


def record_delta(before: dict, after: dict) -> dict:
    """Top-level fields that differ: `{field: {"old": ..., "new": ...}}` (absent fields are None)."""
    keys = list(dict.fromkeys([*before, *after]))
    return {k: {"old": before.get(k), "new": after.get(k)} for k in keys if before.get(k) != after.get(k)}


def record_event(
    *,
    actor: Actor,
    category: str,
    name: str,
    operation: str,
    before: dict | None = None,
    after: dict | None = None,
    position: int | None = None,
    layout: dict | None = None,
    domain: str = "v2",
) -> AuditEvent:
    """An unsaved event for one record write; `audit_events_save` stores a batch of them."""
    payload: dict = {}
    if before is not None and operation != AuditEvent.Operation.CREATE:
        payload["before"] = before
    if after is not None:
        payload["after"] = after
    if before is not None and after is not None:
        payload["delta"] = record_delta(before, after)
    if position is not None:
        payload["position"] = position
    if layout is not None:
        payload["layout"] = layout
    return unsaved(
        AuditEvent,
        timestamp=clock.now(),
        domain=domain,
        category=category,
        model_name=name,
        operation=operation,
        origin=actor.origin,
        actor_id=actor.id,
        actor_name=actor.name,
        request_id=actor.request_id,
        payload=payload,
    )


def audit_events_save(events: list[AuditEvent]) -> list[AuditEvent]:
    rows_insert(events)
    return events


def record_writes_serialize() -> None:
    """Let one transaction at a time write record events, until it commits.

    Event ids come from a sequence, handed out when rows are inserted, not when they commit: two
    writers could commit ids 11 then 10, and a reader of "events after 10" would never see 10.
    Under this lock, record events are committed in id order (the changes feed relies on it).
    Take it first in the transaction, before any row lock (no deadlock with another writer). Only
    PostgreSQL needs it: SQLite lets one writer in at a time anyway. Re-entrant.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("record_writes_serialize must run inside the writing transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RECORD_WRITES_LOCK])

"""Reads of the audit trail: record writes in the order they were committed (the changes feed).

Record events are written under `services.record_writes_serialize()`, so their ids increase in
the order their transactions committed: a reader that remembers the last id it saw and asks for
the ids after it misses nothing and sees nothing twice.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from apps.audit.models import AuditEvent

_RECORD_EVENTS = AuditEvent.objects.exclude(category=AuditEvent.QUEUE_CATEGORY)


def record_events_after(*, after_id: int, category: str | None = None, limit: int) -> list[AuditEvent]:
    """Up to `limit` record writes with an id above `after_id`, oldest first."""
    events = _RECORD_EVENTS.filter(id__gt=after_id)
    if category is not None:
        events = events.filter(category=category)
    return list(events.order_by("id")[:limit])


def last_event_id_before(moment: datetime) -> int:
    """The id of the last event at or before `moment` (0 before the first)."""
    found = (
        AuditEvent.objects.filter(timestamp__lte=moment).order_by("-id").values_list("id", flat=True).first()
    )
    return found or 0


def record_creations(*, category: str, limit: int) -> list[AuditEvent]:
    """The latest record creations of a category, newest first (the "new models" feed)."""
    events = _RECORD_EVENTS.filter(category=category, operation=AuditEvent.Operation.CREATE)
    return list(events.order_by("-id")[:limit])


def trail_epoch() -> str:
    """A short name of this audit trail (its first event), so a cursor of another instance's trail
    (a REPLICA's, a rebuilt database's) is told apart from one of this trail."""
    first = AuditEvent.objects.order_by("id").values_list("id", "timestamp").first()
    if first is None:
        return "0"
    return hashlib.sha256(f"{first[0]}:{first[1].isoformat()}".encode()).hexdigest()[:8]

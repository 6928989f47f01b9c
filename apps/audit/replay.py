"""Rebuilding records from the audit trail, and comparing them with the live records.

Every record write (imports, queue applies) leaves an event with the record's data before and
after, so replaying the events in order must give exactly the live records. A difference means a
write that bypassed the services (or a bug); `manage.py audit_replay --verify` (hmr_site) feeds
this module the events and the live records and reports what differs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from apps.audit.models import AuditEvent


@dataclass
class ReplayReport:
    events: int = 0
    records: int = 0
    missing: list[tuple[str, str]] = field(default_factory=list)  # live, not rebuilt
    extra: list[tuple[str, str]] = field(default_factory=list)  # rebuilt, not live
    different: list[tuple[str, str]] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.missing or self.extra or self.different)


def record_events(categories: Iterable[str]):
    """Every event of a record of `categories` (queue steps and store entries left out), oldest
    first, streamed."""
    events = AuditEvent.objects.filter(category__in=list(categories)).order_by("id")
    return events.iterator(chunk_size=2000)


def replay_states(events: Iterable[AuditEvent]) -> dict[tuple[str, str], dict]:
    """(category, name) -> record data after applying `events` (ordered by id)."""
    state: dict[tuple[str, str], dict] = {}
    for event in events:
        key = (event.category, event.model_name)
        payload = event.payload
        if event.operation == AuditEvent.Operation.DELETE:
            state.pop(key, None)
        elif payload.get("after") is not None:
            state[key] = payload["after"]
        else:  # an update described by its delta only (not written by HMR, accepted for completeness)
            record = dict(state.get(key, {}))
            for name, change in (payload.get("delta") or {}).items():
                record[name] = change["new"]
            state[key] = record
    return state


def replay_compare(events: Iterable[AuditEvent], live: dict[tuple[str, str], dict]) -> ReplayReport:
    """Replay `events` and compare the result with the `live` records ((category, name) -> data)."""
    total = 0

    def counted():
        nonlocal total
        for event in events:
            total += 1
            yield event

    rebuilt = replay_states(counted())
    report = ReplayReport(events=total, records=len(live))
    for key, data in live.items():
        if key not in rebuilt:
            report.missing.append(key)
        elif json.dumps(rebuilt[key]) != json.dumps(data):
            report.different.append(key)
    report.extra = sorted(set(rebuilt) - set(live))
    report.missing.sort()
    report.different.sort()
    return report

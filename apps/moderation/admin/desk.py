"""What the change page shows about one change: its diff as table rows, both sides as JSON, its
lifecycle and its audit events. Reads only (selectors); formatting for the templates."""

from __future__ import annotations

import json

from apps.audit.models import AuditEvent
from apps.catalog.categories import Category
from apps.moderation import selectors
from apps.moderation.admin.common import pretty_json
from apps.moderation.diff import FieldDiff, is_critical_path
from apps.moderation.models import PendingChange
from apps.verification.admin import state_rows


def shown(value) -> str:
    """A value as a reviewer reads it: strings bare, short values as JSON, long ones indented."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    compact = json.dumps(value, ensure_ascii=False)
    return compact if len(compact) <= 60 else pretty_json(value)


def diff_rows(category: Category, field_diffs: list[FieldDiff]) -> list[dict]:
    return [
        {
            "path": d.field_path,
            "old": shown(d.old_value),
            "new": shown(d.new_value),
            "type": d.change_type,
            "critical": is_critical_path(category, d.field_path),
        }
        for d in field_diffs
    ]


def review_rows(changes: list[PendingChange]) -> list[dict]:
    """What the approve and reject pages show per selected change: its diff against the live
    record (as table rows) and a one-line summary (the fields it changes, critical or not)."""
    diffs = {change.pk: found for change, found in selectors.proposed_diffs(changes)}
    rows = []
    for change in changes:
        found = diffs.get(change.pk)
        fields = diff_rows(Category(change.category), found.field_diffs) if found is not None else []
        rows.append(
            {
                "change": change,
                "diff": found,
                "rows": fields,
                "critical": bool(found and found.is_critical),
                "paths": [row["path"] for row in fields],
            }
        )
    return rows


def event_rows(events: list[AuditEvent]) -> list[dict]:
    rows = []
    for event in events:
        payload = event.payload or {}
        if event.category == AuditEvent.QUEUE_CATEGORY:
            after = dict(payload.get("after") or {})
            what = after.pop("action", event.operation)
            after.pop("change_id", None)
            details = ", ".join(f"{k}: {shown(v)}" for k, v in after.items() if v is not None)
            subject = f"change #{event.model_name}"
        else:
            what = f"record {event.operation}"
            delta = payload.get("delta") or {}
            details = f"fields: {', '.join(delta)}" if delta else ""
            subject = f"{event.category}/{event.model_name}"
        rows.append({"event": event, "what": what, "subject": subject, "details": details})
    return rows


def change_desk(change: PendingChange) -> dict:
    """Template context for the change page (everything but the buttons)."""
    category = Category(change.category)
    diff, diff_source = None, "live"
    if change.status == PendingChange.Status.APPLIED:
        diff, diff_source = selectors.applied_diff(change), "applied"
    if diff is None:
        diff, diff_source = selectors.change_diff(change), "live"
    open_change = change.status in (PendingChange.Status.PENDING, PendingChange.Status.APPROVED)
    protection = selectors.change_protection(change, critical=diff.is_critical) if open_change else None
    downloads = download_rows(change)
    return {
        "diff": diff,
        "diff_source": diff_source,
        "protection": protection,
        "diff_rows": diff_rows(category, diff.field_diffs),
        "proposed_json": pretty_json(diff.proposed_state) if diff.proposed_state is not None else "",
        "live_json": pretty_json(diff.current_state) if diff.current_state is not None else "",
        "events": event_rows(selectors.change_events(change)),
        "download_rows": downloads,
        "download_problem": any(row["state"] == "problem" for row in downloads),
        "record": selectors.live_record(change.category, change.model_name),
    }


def download_rows(change: PendingChange) -> list[dict]:
    """Each URL the change proposes with its check (✓, ✗ and why, checking…), new ones marked."""
    states, live = selectors.change_download_states(change)
    return state_rows(states, live=live)

"""`GET /v2/changes?since=&category=&limit=`: every applied change to the catalog, in commit order.

Built on the audit trail: one item per record write (imports, applied changes, REPLICA pulls),
oldest first. `since` is a cursor from an earlier page (`next_cursor`, or an item's `cursor`),
or an ISO 8601 time (changes applied after it); without it the feed starts at the beginning.

Cursors are opaque: `c1.` and base64url of `<trail epoch>:<event id>`. The epoch names this
instance's audit trail, so a cursor from another instance (a REPLICA, a rebuilt database) is
refused with 422 instead of silently skipping or repeating changes. Cursors do not expire and
survive restarts (they are ids in the database). A reader keeps the last `next_cursor` and asks
again with it; it sees every change once, in order (record writes commit in id order:
audit.services.record_writes_serialize).
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, datetime

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from apps.api.categories import parse_v2_category
from apps.api.conditional import json_response
from apps.api.errors import RequestValidationError, validation_error
from apps.api.params import query_int, query_str
from apps.api.serializers import ErrorSerializer
from apps.api.v2.views import TAGS
from apps.audit import selectors as audit
from apps.audit.models import AuditEvent
from apps.catalog.formats.v2 import LEGACY_KEY
from apps.core import clock

PREFIX = "c1."
DEFAULT_LIMIT, MAX_LIMIT = 100, 500
OPERATIONS = {"create": "created", "update": "updated", "delete": "deleted"}
CURSOR_ERROR = "Value error, not a cursor of this feed (use a next_cursor it gave) nor an ISO 8601 time"
_CURSOR = re.compile(r"([0-9a-f]{1,8}):([0-9]{1,19})")


class ChangeSerializer(serializers.Serializer):
    cursor = serializers.CharField(help_text="Resume after this change: pass it as `since`")
    operation = serializers.ChoiceField(choices=list(OPERATIONS.values()))
    category = serializers.CharField()
    name = serializers.CharField()
    fields_changed = serializers.ListField(
        child=serializers.CharField(),
        help_text="Top-level v2 fields: all (created), the changed ones (updated), none (deleted)",
    )
    applied_at = serializers.DateTimeField()
    origin = serializers.CharField(help_text="import, replica, api-v1, api-v2 or admin")

    class Meta:
        ref_name = "CatalogChange"


class ChangesPageSerializer(serializers.Serializer):
    changes = ChangeSerializer(many=True)
    next_cursor = serializers.CharField(
        allow_null=True, help_text="Ask again with since=<this>; null: none yet"
    )
    has_more = serializers.BooleanField(help_text="More changes are waiting beyond this page")
    limit = serializers.IntegerField()

    class Meta:
        ref_name = "CatalogChangesPage"


def cursor_encode(epoch: str, event_id: int) -> str:
    return PREFIX + base64.urlsafe_b64encode(f"{epoch}:{event_id}".encode()).decode().rstrip("=")


def cursor_decode(raw: str, epoch: str) -> int | None:
    """The event id of a cursor of this trail; None when `raw` is not one (a time, or garbage)."""
    if not raw.startswith(PREFIX):
        return None
    body = raw[len(PREFIX) :]
    try:
        text = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode("ascii")
    except (binascii.Error, ValueError):
        _refuse(raw)
    match = _CURSOR.fullmatch(text)
    if not match:
        _refuse(raw)
    if match.group(1) != epoch:
        _refuse(
            raw, "Value error, this cursor belongs to another HMR instance's audit trail; read from the start"
        )
    return int(match.group(2))


def _refuse(raw: str, message: str = CURSOR_ERROR):
    raise RequestValidationError([validation_error(["query", "since"], message, raw)])


def _time(raw: str) -> datetime:
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        _refuse(raw)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def fields_changed(event: AuditEvent) -> list[str]:
    payload = event.payload or {}
    if event.operation == AuditEvent.Operation.CREATE:
        names = list(payload.get("after") or {})
    elif event.operation == AuditEvent.Operation.UPDATE:
        names = list(payload.get("delta") or {})
    else:
        names = []
    return [n for n in names if n != LEGACY_KEY]


class ChangesApi(APIView):
    @extend_schema(
        summary="Applied changes, oldest first, from a cursor",
        operation_id="v2_changes",
        tags=TAGS,
        parameters=[
            OpenApiParameter("since", str, description="a cursor of this feed, or an ISO 8601 time"),
            OpenApiParameter("category", str, description="only this category"),
            OpenApiParameter("limit", int, description=f"1-{MAX_LIMIT}, default {DEFAULT_LIMIT}"),
        ],
        responses={200: ChangesPageSerializer, 422: ErrorSerializer},
    )
    def get(self, request):
        since = query_str(request, "since", max_length=200)
        raw_category = query_str(request, "category")
        category = (
            None if raw_category is None else parse_v2_category(raw_category, loc="category", where="query")
        )
        limit = query_int(request, "limit", DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
        epoch = audit.trail_epoch()
        after = 0 if since is None else cursor_decode(since, epoch)
        resumable = after is not None  # a cursor, or no `since`: an empty page may hand one out
        if after is None:
            moment = _time(since)
            after, resumable = audit.last_event_id_before(moment), moment <= clock.now()
        events = audit.record_events_after(
            after_id=after, category=category.value if category else None, limit=limit + 1
        )
        page = events[:limit]
        changes = [
            {
                "cursor": cursor_encode(epoch, e.pk),
                "operation": OPERATIONS[e.operation],
                "category": e.category,
                "name": e.model_name,
                "fields_changed": fields_changed(e),
                "applied_at": e.timestamp,
                "origin": e.origin,
            }
            for e in page
        ]
        # An empty page hands back where it stood, except after a time still to come: a cursor
        # there would skip nothing but could include changes before that time.
        if changes:
            next_cursor = changes[-1]["cursor"]
        else:
            next_cursor = cursor_encode(epoch, after) if after and resumable else None
        body = {
            "changes": changes,
            "next_cursor": next_cursor,
            "has_more": len(events) > limit,
            "limit": limit,
        }
        return json_response(request, ChangesPageSerializer(body).data)

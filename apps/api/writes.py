"""What the write endpoints of both versions share: every write is a proposal queued for review.

`queue_write` identifies the caller, enqueues the change and answers 202 with the queued change
(upstream's PendingChangeRecord). The per-version endpoints (apps/api/v1/writes.py,
apps/api/v2/writes.py) decide the category, the operation and the payload.
"""

from __future__ import annotations

from rest_framework.response import Response

from apps.api.errors import RequestValidationError
from apps.api.permissions import request_horde_user
from apps.api.queue.serializers import PendingChangeSerializer
from apps.api.serializers import WRITE_ERRORS
from apps.audit.services import Actor
from apps.catalog.categories import Category
from apps.moderation import services
from apps.moderation.models import PendingChange

Op = PendingChange.Operation
WRITE_RESPONSES = {202: PendingChangeSerializer, **WRITE_ERRORS}


def queue_write(
    request,
    *,
    category: Category,
    operation: str,
    name: str,
    payload: dict | None,
    api_version: str,
    route: str,
) -> Response:
    user = request_horde_user(request)
    proposal = services.Proposal(
        category=category,
        operation=operation,
        name=name,
        payload=payload,
        payload_format=PendingChange.Format.V2 if api_version == "v2" else PendingChange.Format.LEGACY,
        origin=f"api-{api_version}",
        request_metadata={"route": route},
    )
    try:
        change = services.change_enqueue(
            proposal=proposal, actor=Actor(f"api-{api_version}", user.user_id, user.username)
        )
    except services.PayloadInvalid as exc:
        raise RequestValidationError(exc.errors) from None
    return Response(PendingChangeSerializer(change).data, status=202)

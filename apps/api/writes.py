"""Write endpoints (v2, and v1 when the legacy format is canonical): every write is queued, 202.

Upstream's order of checks: a PUT whose path and body name differ is refused (400) before the
caller is identified; then the role (401/403) and the deployment gates (503); then the service's
own checks (names 422, text prefixes 400, body 422, existence 409/404).
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response

from apps.api.bodies import json_object
from apps.api.errors import RequestValidationError
from apps.api.permissions import (
    CanonicalWrites,
    GuardedWritesMixin,
    IsRequestor,
    PrimaryOnly,
    request_horde_user,
)
from apps.api.v2 import schemas
from apps.audit.services import Actor
from apps.catalog.categories import Category
from apps.core.errors import ApplicationError, NotFound
from apps.moderation import selectors, services
from apps.moderation.models import PendingChange

Op = PendingChange.Operation


def WRITE_SCHEMA(summary: str, *, body: bool = True, tags=("v2",), request=None):
    """OpenAPI description of a queued write: a record in, 202 and the queued change out."""
    return extend_schema(
        summary=summary,
        tags=list(tags),
        request=(request or OpenApiTypes.OBJECT) if body else None,
        responses={202: schemas.pending_change_response, **schemas.WRITE_ERRORS},
    )


NAME_MISMATCH = "Model name in the path must match the payload when queuing updates."


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
    return Response(selectors.change_body(change), status=202)


class V2WritesMixin(GuardedWritesMixin):
    """POST (create), PUT and DELETE for the v2 routes; GET stays open."""

    write_permission_classes = [IsRequestor, PrimaryOnly, CanonicalWrites("v2")]

    def initial(self, request, *args, **kwargs):
        if request.method == "PUT":  # before identity, as upstream
            body = request.data
            if (
                isinstance(body, dict)
                and body.get("name") is not None
                and body.get("name") != kwargs.get("name")
            ):
                raise ApplicationError(NAME_MISMATCH)
        super().initial(request, *args, **kwargs)

    def _category(self, category: str | None) -> Category:
        from apps.api.v2.views import parse_v2_category

        return self.category or parse_v2_category(category)

    @WRITE_SCHEMA("Queue the creation of a record")
    def post(self, request, category: str | None = None):
        parsed = self._category(category)
        payload = json_object(request)
        return queue_write(
            request,
            category=parsed,
            operation=Op.CREATE,
            name=payload.get("name"),
            payload=payload,
            api_version="v2",
            route=f"create_v2_{parsed.value}",
        )

    @WRITE_SCHEMA("Queue an update of a record")
    def put(self, request, name: str, category: str | None = None):
        parsed = self._category(category)
        payload = {**json_object(request), "name": name}
        return queue_write(
            request,
            category=parsed,
            operation=Op.UPDATE,
            name=name,
            payload=payload,
            api_version="v2",
            route=f"update_v2_{parsed.value}",
        )

    @WRITE_SCHEMA("Queue the deletion of a record", body=False)
    def delete(self, request, name: str, category: str | None = None):
        parsed = self._category(category)
        return queue_write(
            request,
            category=parsed,
            operation=Op.DELETE,
            name=name,
            payload=None,
            api_version="v2",
            route=f"delete_v2_{parsed.value}",
        )


class V1WritesMixin(GuardedWritesMixin):
    """v1 POST/PUT `/{category}` and DELETE `/{category}/model/{name}`: only on legacy-canonical
    deployments (elsewhere the routes do not exist: POST 405, DELETE 404, as upstream)."""

    write_permission_classes = [IsRequestor, PrimaryOnly, CanonicalWrites("legacy")]

    def initial(self, request, *args, **kwargs):
        if request.method in ("POST", "PUT", "DELETE") and settings.HMR_CANONICAL_FORMAT != "legacy":
            if request.method == "DELETE":
                raise NotFound("Not Found")
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    def _v1_write(self, request, category: str, operation: str) -> Response:
        from apps.api.v1.views import parse_v1_category

        parsed = parse_v1_category(category)
        payload = json_object(request)
        return queue_write(
            request,
            category=parsed,
            operation=operation,
            name=payload.get("name"),
            payload=payload,
            api_version="v1",
            route=f"{operation}_v1_{parsed.value}",
        )

    @WRITE_SCHEMA("Queue the creation of a legacy record (legacy-canonical deployments)", tags=["v1"])
    def post(self, request, category: str):
        return self._v1_write(request, category, Op.CREATE)

    @WRITE_SCHEMA("Queue an update of a legacy record (legacy-canonical deployments)", tags=["v1"])
    def put(self, request, category: str):
        return self._v1_write(request, category, Op.UPDATE)

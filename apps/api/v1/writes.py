"""v1 writes: POST/PUT `/{category}` and DELETE `/{category}/model/{name}`, only on
legacy-canonical deployments (elsewhere the routes do not exist: POST 405, DELETE 404, as
upstream). Each is queued (apps/api/writes.py)."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response

from apps.api.bodies import json_object
from apps.api.categories import parse_v1_category
from apps.api.permissions import CanonicalWrites, GuardedWritesMixin, IsRequestor, PrimaryOnly
from apps.api.serializers import ErrorSerializer
from apps.api.writes import WRITE_RESPONSES, Op, queue_write
from apps.core.errors import NotFound


def _documented(summary: str, *, body: bool = True):
    # POST and PUT answer 405 where the canonical format is not legacy (the routes do not exist).
    responses = {**WRITE_RESPONSES, 405: ErrorSerializer} if body else WRITE_RESPONSES
    return extend_schema(
        summary=summary, tags=["v1"], request=OpenApiTypes.OBJECT if body else None, responses=responses
    )


class V1WritesMixin(GuardedWritesMixin):
    write_permission_classes = [IsRequestor, PrimaryOnly, CanonicalWrites("legacy")]

    def initial(self, request, *args, **kwargs):
        if request.method in ("POST", "PUT", "DELETE") and settings.HMR_CANONICAL_FORMAT != "legacy":
            if request.method == "DELETE":
                raise NotFound("Not Found")
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)


class V1RecordWritesMixin(V1WritesMixin):
    """POST (create) and PUT (update) `/{category}`: the record, with its name, in the body."""

    def _write(self, request, category: str, operation: str) -> Response:
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

    @_documented("Queue the creation of a legacy record (legacy-canonical deployments)")
    def post(self, request, category: str):
        return self._write(request, category, Op.CREATE)

    @_documented("Queue an update of a legacy record (legacy-canonical deployments)")
    def put(self, request, category: str):
        return self._write(request, category, Op.UPDATE)


class V1DeleteMixin(V1WritesMixin):
    @_documented("Queue the deletion of a legacy record (legacy-canonical deployments)", body=False)
    def delete(self, request, category: str, name: str):
        parsed = parse_v1_category(category)
        return queue_write(
            request,
            category=parsed,
            operation=Op.DELETE,
            name=name,
            payload=None,
            api_version="v1",
            route=f"delete_v1_{parsed.value}",
        )

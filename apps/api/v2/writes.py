"""v2 writes, all queued (apps/api/writes.py) and answered 202 with the queued change.

- `V2CreateMixin`: POST `/{category}` and POST `/{category}/add` (the record type is the path's
  category, never guessed from the body);
- `V2RecordWritesMixin`: PUT and DELETE `/{category}/model/{name}`.

Upstream's order of checks: a PUT whose path and body name differ is refused (400) before the
caller is identified; then the role (401/403) and the deployment gates (503); then the service's
own checks (names 422, text prefixes 400, body 422, existence 409/404).
"""

from __future__ import annotations

from rest_framework.views import APIView

from apps.api.bodies import json_object
from apps.api.categories import parse_v2_category
from apps.api.permissions import CanonicalWrites, GuardedWritesMixin, IsRequestor, PrimaryOnly
from apps.api.writes import Op, queue_write
from apps.catalog.categories import Category
from apps.core.errors import ApplicationError

NAME_MISMATCH = "Model name in the path must match the payload when queuing updates."


class V2CategoryView(APIView):
    """A v2 route of one category (`as_view(category=...)`, upstream's typed routes) or of the
    category in the path (`category` None: the generic routes)."""

    category: Category | None = None

    def path_category(self, raw: str | None) -> Category:
        return self.category or parse_v2_category(raw)


class _V2Writes(GuardedWritesMixin, V2CategoryView):
    write_permission_classes = [IsRequestor, PrimaryOnly, CanonicalWrites("v2")]


class V2CreateMixin(_V2Writes):
    def post(self, request, category: str | None = None):
        parsed = self.path_category(category)
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


class V2RecordWritesMixin(_V2Writes):
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

    def put(self, request, name: str, category: str | None = None):
        parsed = self.path_category(category)
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

    def delete(self, request, name: str, category: str | None = None):
        parsed = self.path_category(category)
        return queue_write(
            request,
            category=parsed,
            operation=Op.DELETE,
            name=name,
            payload=None,
            api_version="v2",
            route=f"delete_v2_{parsed.value}",
        )

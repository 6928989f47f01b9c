"""The OpenAPI schema class: one view class, mounted on several routes, documented per route.

The queue and the metadata views serve both API versions (`as_view(api_version="v1")`), and the
v2 record views serve one route per category (`as_view(category=...)`), as upstream's typed
routes. drf-spectacular builds each route's view with its init kwargs, so a view describes the
operation it is on from its own attributes: `openapi_operation(method)` returns an `Operation`
whose set fields (operation id, summary, request body, responses, tags) override the defaults. Static
descriptions stay in `extend_schema` decorators.

Every operation also documents the errors any route can answer with the error envelope, where a
view does not describe them itself: 404 where the path has parameters, 422 where the request has
parameters or a body to validate, 503 everywhere (PostgreSQL unreachable, a REPLICA refusing,
a canonical format without the route's data).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drf_spectacular.openapi import AutoSchema

from apps.api.serializers import ErrorSerializer

UNSET: Any = object()


@dataclass(frozen=True)
class Operation:
    operation_id: str | None = None
    summary: str | None = None
    request: Any = UNSET  # a serializer, OpenApiTypes, or None for "no body"
    responses: Any = None
    tags: list[str] | None = None


class HmrSchema(AutoSchema):
    def _operation(self) -> Operation:
        describe = getattr(self.view, "openapi_operation", None)
        return (describe(self.method.lower()) if describe else None) or Operation()

    def get_operation_id(self) -> str:
        return self._operation().operation_id or super().get_operation_id()

    def get_summary(self) -> str | None:
        summary = self._operation().summary
        return summary if summary is not None else super().get_summary()

    def get_tags(self) -> list[str]:
        return self._operation().tags or super().get_tags()

    def get_request_serializer(self):
        request = self._operation().request
        return super().get_request_serializer() if request is UNSET else request

    def get_response_serializers(self):
        responses = self._operation().responses
        return super().get_response_serializers() if responses is None else responses

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response" or self.method == "OPTIONS":
            return responses
        codes = ["503"]
        if self._get_parameters() or self.method in ("POST", "PUT", "PATCH"):
            codes.append("422")
        if "{" in self.path:
            codes.append("404")
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code, direction=direction)
        return dict(sorted(responses.items()))

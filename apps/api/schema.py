"""The OpenAPI schema class: one view class, mounted on several routes, documented per route.

The queue and the metadata views serve both API versions (`as_view(api_version="v1")`), and the
v2 record views serve one route per category (`as_view(category=...)`), as upstream's typed
routes. drf-spectacular builds each route's view with its init kwargs, so a view describes the
operation it is on from its own attributes: `openapi_operation(method)` returns an `Operation`
whose set fields (operation id, summary, request body, responses, tags) override the defaults. Static
descriptions stay in `extend_schema` decorators.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drf_spectacular.openapi import AutoSchema

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

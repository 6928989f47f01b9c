"""What every text route shares: open reads, and writes checked in upstream's order.

Upstream (FastAPI) checks a write's `apikey` header first (401 "Not authenticated"), then its
input (422: query, path and body together), then the key and the role (401/403), then the
deployment (503 on a REPLICA). `TextApi.initial` does the first two before DRF's permissions do
the others. The stores (aliases, families, naming schemas) exist on a PRIMARY only.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS
from rest_framework.views import APIView

from apps.accounts.authentication import apikey_from
from apps.api.errors import RequestValidationError, validation_error
from apps.api.permissions import GuardedWritesMixin, IsRequestor, PrimaryOnly, request_horde_user
from apps.api.schema import Operation
from apps.audit.services import Actor
from apps.core.errors import Unavailable

TAGS = ["text_utils"]
NAME_LENGTH = 255


def required_query(request, name: str) -> str:
    value = request.query_params.get(name)
    if value is None:
        raise RequestValidationError([validation_error(["query", name], "Field required", None, "missing")])
    return value


def stored_name(value: str, loc: list) -> str:
    """A name that goes into a store: at most 255 characters (the column's size)."""
    if len(value) > NAME_LENGTH:
        raise RequestValidationError(
            [
                validation_error(
                    loc,
                    f"String should have at most {NAME_LENGTH} characters",
                    value,
                    "string_too_long",
                    max_length=NAME_LENGTH,
                )
            ]
        )
    return value


def collected(*parsers) -> list[Any]:
    """Run each parser; every 422 error of all of them in one list (as FastAPI reports them)."""
    values, errors = [], []
    for parse in parsers:
        try:
            values.append(parse())
        except RequestValidationError as exc:
            errors += exc.errors
    if errors:
        raise RequestValidationError(errors)
    return values


class TextApi(GuardedWritesMixin, APIView):
    """Reads are open; writes need a requestor on a PRIMARY. A write view parses its input in
    `write_inputs` (kept as `self.inputs`), which runs before the key is looked up."""

    permission_classes: list = []
    write_permission_classes = [IsRequestor, PrimaryOnly]
    inputs: Any = None

    def initial(self, request, *args, **kwargs):
        method = request.method.lower()
        if request.method not in SAFE_METHODS and method in self.http_method_names and hasattr(self, method):
            if apikey_from(request) is None:
                raise exceptions.NotAuthenticated()
            self.inputs = self.write_inputs(request, method, kwargs)
        super().initial(request, *args, **kwargs)

    def write_inputs(self, request, method: str, kwargs: dict) -> Any:
        return None

    @property
    def stores(self) -> bool:
        """Whether this deployment has the stores (a PRIMARY)."""
        return settings.HMR_REPLICATE_MODE == "PRIMARY"

    def require_store(self, kind: str) -> None:
        if not self.stores:
            raise Unavailable(f"Group {kind} storage is not available (backend may be in REPLICA mode).")

    def actor(self) -> Actor:
        user = request_horde_user(self.request)
        return Actor(origin="api-v2", id=user.user_id, name=user.username)

    def openapi_operation(self, method: str) -> Operation:
        """`v2_text_utils_<view>_<method>`: `AliasApi` GET -> `v2_text_utils_alias_get` (unique per route)."""
        view = re.sub(r"(?<!^)(?=[A-Z])", "_", type(self).__name__.removesuffix("Api")).lower()
        return Operation(operation_id=f"v2_text_utils_{view}_{method}", tags=TAGS)

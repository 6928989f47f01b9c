"""The one error envelope of the API: upstream's `{"detail": ...}` shapes and status codes.

- `ApplicationError` (services) -> its status, `{"detail": message}` (+ any extra keys);
- request validation -> 422 `{"detail": [{"type", "loc", "msg", "input"}]}` (pydantic's shape);
- missing credentials -> 401 "Not authenticated" with `WWW-Authenticate: APIKey`;
- bad credentials -> 401, refused permission -> 403, unknown route -> 404 "Not Found",
  wrong method -> 405 "Method Not Allowed".
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.http import Http404, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults
from pydantic import ValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from apps.core.database import (
    DATABASE_UNAVAILABLE,
    NUL_REFUSED,
    RETRY_AFTER_SECONDS,
    database_unavailable,
    value_refused,
)
from apps.core.errors import ApplicationError


class RequestValidationError(exceptions.APIException):
    """422 with a list of pydantic-style errors."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY

    def __init__(self, errors: list[dict]) -> None:
        super().__init__()
        self.errors = errors


def validation_error(loc: list, msg: str, value: Any = None, kind: str = "value_error", **ctx) -> dict:
    error = {"type": kind, "loc": loc, "msg": msg, "input": value}
    if ctx:
        error["ctx"] = ctx
    return error


def pydantic_errors(exc: ValidationError, *loc: str | int) -> list[dict]:
    """pydantic's own errors as JSON (no documentation links), located under `loc` ("query", name)."""
    return [{**error, "loc": [*loc, *error["loc"]]} for error in json.loads(exc.json(include_url=False))]


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if database_unavailable(exc):
        return Response(
            {"detail": DATABASE_UNAVAILABLE}, status=503, headers={"Retry-After": RETRY_AFTER_SECONDS}
        )
    if refused := value_refused(exc):
        set_rollback()
        return Response({"detail": [validation_error(["request"], refused, None)]}, status=422)
    if isinstance(exc, ApplicationError):
        return Response({"detail": exc.message, **exc.extra}, status=exc.status)
    if isinstance(exc, RequestValidationError):
        return Response({"detail": exc.errors}, status=exc.status_code)
    if isinstance(exc, exceptions.NotAuthenticated):
        return Response({"detail": "Not authenticated"}, status=401, headers={"WWW-Authenticate": "APIKey"})
    if isinstance(exc, exceptions.ParseError):
        return Response(
            {
                "detail": [
                    validation_error(["body"], f"JSON decode error: {exc.detail}", None, "json_invalid")
                ]
            },
            status=422,
        )
    if isinstance(exc, exceptions.ValidationError):
        return Response({"detail": _drf_errors(exc.detail)}, status=422)
    if isinstance(exc, Http404 | exceptions.NotFound):
        return Response({"detail": "Not Found"}, status=404)
    if isinstance(exc, exceptions.MethodNotAllowed):
        return Response({"detail": "Method Not Allowed"}, status=405)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"])}
    return response


def _drf_errors(detail: Any, loc: tuple = ("body",)) -> list[dict]:
    if isinstance(detail, dict):
        return [e for key, value in detail.items() for e in _drf_errors(value, (*loc, key))]
    if isinstance(detail, list):
        if all(not isinstance(d, dict | list) for d in detail):
            return [
                validation_error(list(loc), str(d), None, getattr(d, "code", "value_error")) for d in detail
            ]
        return [e for index, value in enumerate(detail) for e in _drf_errors(value, (*loc, index))]
    return [validation_error(list(loc), str(detail), None, getattr(detail, "code", "value_error"))]


_NUL_IN_JSON = (b"\x00", b"\\u0000")


class RefuseNulMiddleware:
    """An API request with a NUL character in its path, query or JSON body answers 422 before any
    view runs: PostgreSQL cannot store or compare such text (a `DataError`, once a 500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        where = _nul_location(request) if request.path.startswith("/api/") else None
        if where:
            return JsonResponse({"detail": [validation_error([where], NUL_REFUSED)]}, status=422)
        return self.get_response(request)


def _nul_location(request) -> str | None:
    """Where a request carries a NUL character: "path", "query", "body" (a write's JSON) or None."""
    if "\x00" in request.path:
        return "path"
    query = request.META.get("QUERY_STRING", "")
    if "%00" in query or "\x00" in query:
        return "query"
    if request.method in ("POST", "PUT", "PATCH") and any(nul in request.body for nul in _NUL_IN_JSON):
        return "body"
    return None


def server_error(request):
    """Django's 500 handler (an exception no view handled: in a middleware, the admin, the catalog).
    PostgreSQL unreachable answers 503 with the message (JSON under /api/, a page elsewhere); any
    other fault 500 without a traceback."""
    exc = sys.exc_info()[1]
    if database_unavailable(exc):
        headers = {"Retry-After": RETRY_AFTER_SECONDS}
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": DATABASE_UNAVAILABLE}, status=503, headers=headers)
        page = render_to_string("503.html", {"message": DATABASE_UNAVAILABLE})
        return HttpResponse(page, status=503, headers=headers)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Internal Server Error"}, status=500)
    return defaults.server_error(request)


def api_not_found(request, exception=None):
    """Django's 404 for a path under /api/ that no route matches: JSON, like upstream."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not Found"}, status=404)
    return defaults.page_not_found(request, exception)

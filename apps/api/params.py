"""Query parameters, parsed by pydantic as FastAPI parses upstream's (its 422 errors, word for word)."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from pydantic import Field, TypeAdapter, ValidationError

from apps.api.errors import RequestValidationError, pydantic_errors


@cache
def _adapter(kind: type, **constraints: Any) -> TypeAdapter:
    return TypeAdapter(Annotated[kind, Field(**constraints)])


def _query(request, name: str, kind: type, default: Any, **constraints: Any) -> Any:
    params = request.query_params if hasattr(request, "query_params") else request.GET
    raw = params.get(name)
    if raw is None:
        return default
    try:
        return _adapter(kind, **constraints).validate_python(raw)
    except ValidationError as exc:
        raise RequestValidationError(pydantic_errors(exc, "query", name)) from None


def query_bool(request, name: str, default: bool | None) -> bool | None:
    return _query(request, name, bool, default)


def query_int(request, name: str, default: int, *, ge: int | None = None, le: int | None = None) -> int:
    return _query(request, name, int, default, ge=ge, le=le)


def query_str(
    request, name: str, *, max_length: int | None = None, min_length: int | None = None
) -> str | None:
    return _query(request, name, str, None, min_length=min_length, max_length=max_length)


def query_list(request, name: str) -> list[str]:
    """A repeatable parameter (`tags_any=a&tags_any=b`); blanks dropped."""
    return [v.strip() for v in request.query_params.getlist(name) if v.strip()]

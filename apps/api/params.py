"""Query parameter parsing with upstream's 422 validation shapes (FastAPI/pydantic messages)."""

from __future__ import annotations

from apps.api.errors import RequestValidationError, validation_error

_TRUE = {"1", "true", "t", "yes", "y", "on"}
_FALSE = {"0", "false", "f", "no", "n", "off"}


def query_bool(request, name: str, default: bool | None) -> bool | None:
    raw = request.query_params.get(name) if hasattr(request, "query_params") else request.GET.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise RequestValidationError(
        [
            validation_error(
                ["query", name],
                "Input should be a valid boolean, unable to interpret input",
                raw,
                "bool_parsing",
            )
        ]
    )


def query_int(request, name: str, default: int, *, ge: int | None = None, le: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise RequestValidationError(
            [
                validation_error(
                    ["query", name],
                    "Input should be a valid integer, unable to parse string as an integer",
                    raw,
                    "int_parsing",
                )
            ]
        ) from None
    if ge is not None and value < ge:
        raise RequestValidationError(
            [
                validation_error(
                    ["query", name],
                    f"Input should be greater than or equal to {ge}",
                    raw,
                    "greater_than_equal",
                    ge=ge,
                )
            ]
        )
    if le is not None and value > le:
        raise RequestValidationError(
            [
                validation_error(
                    ["query", name],
                    f"Input should be less than or equal to {le}",
                    raw,
                    "less_than_equal",
                    le=le,
                )
            ]
        )
    return value


def query_list(request, name: str) -> list[str]:
    """A repeatable parameter (`tags_any=a&tags_any=b`); blanks dropped."""
    return [v.strip() for v in request.query_params.getlist(name) if v.strip()]


def query_str(
    request, name: str, *, max_length: int | None = None, min_length: int | None = None
) -> str | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if min_length is not None and len(raw) < min_length:
        raise RequestValidationError(
            [
                validation_error(
                    ["query", name],
                    f"String should have at least {min_length} character{'s' if min_length > 1 else ''}",
                    raw,
                    "string_too_short",
                    min_length=min_length,
                )
            ]
        )
    if max_length is not None and len(raw) > max_length:
        raise RequestValidationError(
            [
                validation_error(
                    ["query", name],
                    f"String should have at most {max_length} characters",
                    raw,
                    "string_too_long",
                    max_length=max_length,
                )
            ]
        )
    return raw

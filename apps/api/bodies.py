"""Request body parsing with upstream's 422 shapes (pydantic's messages), for the write endpoints."""

from __future__ import annotations

from typing import Any

from apps.api.errors import RequestValidationError, validation_error


def json_object(request) -> dict:
    """The JSON body, which must be an object."""
    data = request.data
    if not isinstance(data, dict):
        raise RequestValidationError(
            [validation_error(["body"], "Input should be a valid dictionary", data, "model_attributes_type")]
        )
    return data


class Body:
    """Typed reads from a JSON object body; collects every error and raises them together."""

    def __init__(self, data: dict) -> None:
        self.data = data
        self.errors: list[dict] = []

    def _error(self, name: str, kind: str, msg: str, value: Any, **ctx) -> None:
        self.errors.append(validation_error(["body", name], msg, value, kind, **ctx))

    def string(
        self,
        name: str,
        *,
        required: bool = False,
        min_length: int = 0,
        max_length: int | None = None,
    ) -> str | None:
        value = self.data.get(name)
        if value is None:
            if required:
                self._error(name, "missing", "Field required", self.data)
            return None
        if not isinstance(value, str):
            self._error(name, "string_type", "Input should be a valid string", value)
            return None
        if len(value) < min_length:
            self._error(
                name,
                "string_too_short",
                f"String should have at least {min_length} character{'s' if min_length > 1 else ''}",
                value,
                min_length=min_length,
            )
        if max_length is not None and len(value) > max_length:
            self._error(
                name,
                "string_too_long",
                f"String should have at most {max_length} characters",
                value,
                max_length=max_length,
            )
        return value

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.data.get(name, default)
        if not isinstance(value, bool):
            self._error(name, "bool_type", "Input should be a valid boolean", value)
            return default
        return value

    def int_list(self, name: str, *, min_items: int = 0, max_items: int | None = None) -> list[int]:
        value = self.data.get(name)
        if value is None:
            if min_items:
                self._error(name, "missing", "Field required", self.data)
            return []
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        ):
            self._error(name, "list_type", "Input should be a valid list of integers", value)
            return []
        if len(value) < min_items:
            self._error(
                name,
                "too_short",
                f"List should have at least {min_items} item"
                f"{'s' if min_items > 1 else ''} after validation, not {len(value)}",
                value,
                field_type="List",
                min_length=min_items,
                actual_length=len(value),
            )
        if max_items is not None and len(value) > max_items:
            self._error(
                name,
                "too_long",
                f"List should have at most {max_items} items after validation, not {len(value)}",
                value,
                field_type="List",
                max_length=max_items,
                actual_length=len(value),
            )
        return value

    def str_list(self, name: str) -> list[str]:
        value = self.data.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self._error(name, "list_type", "Input should be a valid list of strings", value)
            return []
        return value

    def done(self) -> None:
        if self.errors:
            raise RequestValidationError(self.errors)

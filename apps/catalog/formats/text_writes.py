"""Text records written through the API: upstream's text write processor (§13). Pure functions.

Backend-prefixed names are refused (v2 stores base names; `aphrodite/…` and `koboldcpp/…` exist
only in the legacy view), `parameters` must be a positive integer (floats and numeric strings
are coerced, booleans refused), `settings` must be an object (or JSON text) whose keys are
generation parameters, the style and size tags are added to the tags, and the display name and
text model group are filled in when missing.
"""

from __future__ import annotations

import json
from typing import Any

from apps.catalog.formats.text_csv import GENERATION_PARAMS, auto_display_name, size_tag
from apps.catalog.formats.text_names import backend_prefix, text_model_group


class TextWriteError(ValueError):
    def __init__(self, message: str, *, status: int, field: str) -> None:
        super().__init__(message)
        self.status = status
        self.field = field


def backend_prefix_message(name: str) -> str | None:
    prefix = backend_prefix(name)
    if prefix is None:
        return None
    return (
        f"Text model names must not carry a backend prefix ('{prefix}/'): submit the base model name "
        f"'{name.split('/', 1)[1]}'; its backend variants are derived."
    )


def _parameters(value: Any) -> int:
    if isinstance(value, bool):
        raise TextWriteError(
            "'parameters' must be a positive integer, not a boolean", status=422, field="parameters"
        )
    try:
        number = int(float(value)) if isinstance(value, str | float) else value
    except ValueError:
        raise TextWriteError(
            f"'parameters' must be a positive integer, got {value!r}", status=422, field="parameters"
        ) from None
    if not isinstance(number, int) or number <= 0:
        raise TextWriteError(
            f"'parameters' must be a positive integer, got {value!r}", status=422, field="parameters"
        )
    return number


def _settings(value: Any) -> dict | None:
    if value in (None, "", {}):
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise TextWriteError("'settings' must be a JSON object", status=422, field="settings") from None
    if not isinstance(value, dict):
        raise TextWriteError("'settings' must be an object", status=422, field="settings")
    unknown = sorted(set(value) - set(GENERATION_PARAMS))
    if unknown:
        raise TextWriteError(
            f"'settings' has keys that are not generation parameters: {unknown}", status=422, field="settings"
        )
    return value


def text_payload_prepare(payload: dict) -> dict:
    """Coerce a text record payload before v2 validation. Raises TextWriteError (400 or 422)."""
    name = payload.get("name")
    if isinstance(name, str) and (message := backend_prefix_message(name)):
        raise TextWriteError(message, status=400, field="name")
    prepared = dict(payload)
    if "parameters" not in prepared and "parameters_count" in prepared:
        prepared["parameters"] = prepared.pop("parameters_count")  # upstream's field name, accepted too
    if prepared.get("parameters") is not None:
        prepared["parameters"] = _parameters(prepared["parameters"])
    prepared["settings"] = _settings(prepared.get("settings"))
    return prepared


def text_data_complete(data: dict) -> dict:
    """Fill in what the processor derives: tags with style and size, display name, group."""
    completed = dict(data)
    tags = set(completed.get("tags") or [])
    if completed.get("style"):
        tags.add(completed["style"])
    tags.add(size_tag(completed["parameters"]))
    completed["tags"] = sorted(tags)
    if not completed.get("display_name"):
        completed["display_name"] = auto_display_name(completed["name"])
    if not completed.get("text_model_group"):
        completed["text_model_group"] = text_model_group(completed["name"])
    return completed


LEGACY_TEXT_FIELDS = (
    "name",
    "description",
    "version",
    "baseline",
    "parameters",
    "nsfw",
    "style",
    "display_name",
    "url",
    "tags",
    "instruct_format",
    "settings",
)


def v2_payload_from_db_entry(entry: dict) -> dict:
    """A v1 (db.json-shaped) text record as a v2 payload; `model_name` and defaults are derived again."""
    return {k: entry[k] for k in LEGACY_TEXT_FIELDS if k in entry}

"""The legacy (v1) image-repo record format <-> record data, losslessly.

A legacy record carries more than v2 does: `available`, `download_all`, `type`,
`features_not_supported`, yaml and md5 file entries, a dict key that differs from `name`, key
order, a baseline spelled "stable diffusion 1", unknown keys. Converting to record data keeps all
of it in a *residue* (`data["legacy"]`):

- `key`: the dict key when it differs from `name`;
- `order`: the record's keys as they were, so presence and order come back;
- `extra`: legacy-only keys and their values;
- `pinned`: `{legacy key: [basis, raw]}` for keys whose raw value the v2 fields alone would not
  give back (e.g. baseline "stable diffusion 1" for `stable_diffusion_1`). The raw value is used
  while the v2 value it came from (`basis`) is unchanged; once a moderator changes the field, the
  value is derived from the new v2 value.
- `absent`: `{legacy key: basis}` for keys the derivation would add that the record lacked;
- `files`, `downloads`, `config_order`: the original `config` entries, merged with the v2
  downloads on the way out so yaml entries and md5 sums survive a hash or URL change.

v2 gets only what it can express, and nothing is invented:

- a value of another type than v2's field (`"version": 1`, `"nsfw": "true"`, `"tags": "anime"`)
  or a style outside v2's styles (`line art`, `realism` in 2023) leaves that v2 field out, or at
  its default (`false`, `[]`); the raw value stays pinned in the residue and is written back;
- a v2 download is a `files[]` entry with a download entry of the same name that has a URL.
  Everything else in `config` stays in the residue as it was, in its place: directories and
  files without a download entry, download entries no file names (the Hugging Face cache layout
  of the 2024 CLIP records: `refs/main`, blobs, snapshot symlinks), entries without `file_url`,
  unknown keys, a `config` that is not an object. Editing the v2 downloads later changes the
  linked entries only (formats/legacy_config.py).

A record is refused only when it has no name (or is not an object) or, for image generation,
no baseline (both the legacy schema and v2 require one). Records written through the v1 API are
held to v2's types as well (`check_written_record`).

`legacy_from_data(data_from_legacy(r)) == r` (keys and order) for every record. Pure functions;
no ORM, no I/O.
"""

from __future__ import annotations

import copy
from typing import Any

from apps.catalog.categories import Category
from apps.catalog.formats.legacy_config import (
    config_entries,
    downloads_from_legacy,
    legacy_config,
    merged_order,
)
from apps.catalog.formats.v2 import IMAGE_STYLES, LEGACY_KEY, order_data

IMAGE_ORDER = (
    "name",
    "baseline",
    "optimization",
    "type",
    "inpainting",
    "description",
    "tags",
    "showcases",
    "min_bridge_version",
    "version",
    "style",
    "trigger",
    "homepage",
    "nsfw",
    "download_all",
    "requirements",
    "config",
    "available",
    "features_not_supported",
    "size_on_disk_bytes",
)
GENERIC_ORDER = (
    "name",
    "type",
    "baseline",
    "description",
    "version",
    "style",
    "nsfw",
    "download_all",
    "pretrained_name",
    "config",
    "available",
)
# The `type` a fresh record of each utility category gets in the legacy files.
DEFAULT_TYPES = {
    Category.IMAGE_GENERATION: "ckpt",
    Category.BLIP: "blip",
    Category.CLIP: "clip",
    Category.CODEFORMER: "CodeFormers",
    Category.ESRGAN: "realesrgan",
    Category.GFPGAN: "gfpgan",
    Category.SAFETY_CHECKER: "safety_checker",
    Category.MISCELLANEOUS: "layer_diffuse",
}
# Legacy spellings of v2 baselines; normalised on the way in, mapped back on the way out.
LEGACY_BASELINES = {
    "stable diffusion 1": "stable_diffusion_1",
    "stable diffusion 2": "stable_diffusion_2_768",
    "stable diffusion 2 512": "stable_diffusion_2_512",
}
V2_TO_LEGACY_BASELINE = {v2: legacy for legacy, v2 in LEGACY_BASELINES.items()}

_IMAGE_MAPPED = {
    # legacy key -> data fields it is derived from
    "name": ("name",),
    "baseline": ("baseline",),
    "optimization": ("optimization",),
    "inpainting": ("inpainting",),
    "description": ("description",),
    "tags": ("tags",),
    "showcases": ("showcases",),
    "min_bridge_version": ("min_bridge_version",),
    "version": ("version",),
    "style": ("style",),
    "trigger": ("trigger",),
    "homepage": ("homepage",),
    "nsfw": ("nsfw",),
    "requirements": ("requirements",),
    "config": ("config",),
    "size_on_disk_bytes": ("size_on_disk_bytes",),
}
_GENERIC_MAPPED = {
    "name": ("name",),
    "description": ("description",),
    "version": ("version",),
    "config": ("config",),
}
_MAPPED = {
    Category.IMAGE_GENERATION: _IMAGE_MAPPED,
    Category.CONTROLNET: {**_GENERIC_MAPPED, "type": ("controlnet_style",), "style": ("controlnet_style",)},
    Category.CLIP: {**_GENERIC_MAPPED, "pretrained_name": ("pretrained_name",)},
}
_LIST_KEYS = ("tags", "showcases", "trigger")


class LegacyFormatError(ValueError):
    """A legacy record that cannot be read; the message names the record key and the field."""

    def __init__(self, key: str, field: str, message: str) -> None:
        super().__init__(f"record {key!r}, field {field!r}: {message}")
        self.key = key
        self.field = field


def _mapped(category: Category) -> dict[str, tuple[str, ...]]:
    return _MAPPED.get(category, _GENERIC_MAPPED)


def _canonical_order(category: Category) -> tuple[str, ...]:
    return IMAGE_ORDER if category == Category.IMAGE_GENERATION else GENERIC_ORDER


# --- legacy -> record data ----------------------------------------------------------------------


def data_from_legacy(category: Category, key: str, record: Any) -> dict:
    """Record data (v2 fields + residue) for one legacy record. Raises LegacyFormatError."""
    if not isinstance(record, dict):
        raise LegacyFormatError(key, "(record)", "a record must be a JSON object")
    name = record.get("name")
    if not isinstance(name, str) or not name.strip():
        raise LegacyFormatError(key, "name", "the record has no name")
    data: dict[str, Any] = {"name": name}
    _copy_typed(record, data, ("description", "version"), str)
    data["config"] = {"download": downloads_from_legacy(record.get("config"))}
    if category == Category.IMAGE_GENERATION:
        _image_fields(key, record, data)
    elif category == Category.CONTROLNET:
        style = record.get("type") or record.get("style")
        if isinstance(style, str):
            data["controlnet_style"] = style
    elif category == Category.CLIP:
        _copy_typed(record, data, ("pretrained_name",), str)
    data = order_data(category, data)
    residue = _residue(category, key, record, data)
    if residue:
        data[LEGACY_KEY] = residue
    return data


_WRITE_TYPES: dict[str, tuple[type, str]] = {
    "description": (str, "a string"),
    "version": (str, "a string"),
    "pretrained_name": (str, "a string"),
    "optimization": (str, "a string"),
    "style": (str, "a string"),
    "homepage": (str, "a string"),
    "inpainting": (bool, "a boolean"),
    "nsfw": (bool, "a boolean"),
    "min_bridge_version": (int, "an integer"),
    "size_on_disk_bytes": (int, "an integer"),
    "requirements": (dict, "an object"),
}


def check_written_record(category: Category, key: str, record: Any) -> dict:
    """`data_from_legacy` for a record written through the v1 API rather than imported: a value of
    another type than v2's field is bad input there (upstream's models refuse it), not a shape to
    keep. Raises LegacyFormatError naming the field."""
    data = data_from_legacy(category, key, record)
    fields = set(_mapped(category)) | ({"pretrained_name"} if category == Category.CLIP else set())
    for field, (kind, label) in _WRITE_TYPES.items():
        value = record.get(field)
        if field not in fields or value is None:
            continue
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise LegacyFormatError(key, field, f"expected {label}, got {type(value).__name__}")
    for field in _LIST_KEYS if category == Category.IMAGE_GENERATION else ():
        value = record.get(field)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise LegacyFormatError(key, field, "expected a list of strings")
    return data


def _copy_typed(record: dict, data: dict, fields: tuple[str, ...], kind: type) -> None:
    """Copy the fields whose legacy value has v2's type; any other value stays in the residue."""
    for field in fields:
        value = record.get(field)
        if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
            data[field] = value


def _image_fields(key: str, record: dict, data: dict) -> None:
    baseline = record.get("baseline")
    if not isinstance(baseline, str) or not baseline:
        raise LegacyFormatError(key, "baseline", "an image generation record needs a baseline")
    data["baseline"] = LEGACY_BASELINES.get(baseline, baseline)
    for field in ("inpainting", "nsfw"):
        value = record.get(field)
        data[field] = value if isinstance(value, bool) else False
    _copy_typed(record, data, ("optimization", "homepage"), str)
    if record.get("style") in IMAGE_STYLES:  # v2 knows six styles; 2023's "line art" stays legacy-only
        data["style"] = record["style"]
    for field in _LIST_KEYS:
        value = record.get(field)
        strings = isinstance(value, list) and all(isinstance(v, str) for v in value)
        data[field] = list(value) if strings else []
    _copy_typed(record, data, ("min_bridge_version", "size_on_disk_bytes"), int)
    _copy_typed(record, data, ("requirements",), dict)


def _residue(category: Category, key: str, record: dict, data: dict) -> dict:
    mapped = _mapped(category)
    residue: dict[str, Any] = {}
    if key != data["name"]:
        residue["key"] = key
    residue["order"] = list(record)
    extra = {k: v for k, v in record.items() if k not in mapped}
    if extra:
        residue["extra"] = extra
    config = record.get("config")
    if isinstance(config, dict):
        residue["files"] = copy.deepcopy(config_entries(config, "files"))
        residue["downloads"] = copy.deepcopy(config_entries(config, "download"))
        if list(config) != ["files", "download"]:
            residue["config"] = {k: v for k, v in config.items() if k not in ("files", "download")}
            residue["config_order"] = list(config)
    # Pin every mapped value that the v2 fields alone would not reproduce.
    derived = legacy_from_data(category, {**data, LEGACY_KEY: residue})
    pinned = {}
    for legacy_key in mapped:
        if legacy_key in record and derived.get(legacy_key, _MISSING) != record[legacy_key]:
            pinned[legacy_key] = [_basis(data, mapped[legacy_key]), record[legacy_key]]
    if pinned:
        residue["pinned"] = pinned
    # Keys the derivation adds that the record did not have (a missing `inpainting`, say).
    absent = {k: _basis(data, mapped.get(k, ())) for k in derived if k not in record}
    if absent:
        residue["absent"] = absent
    return residue


_MISSING = object()


def _basis(data: dict, fields: tuple[str, ...]) -> Any:
    values = [data.get(f) for f in fields]
    return values[0] if len(values) == 1 else values


# --- record data -> legacy ----------------------------------------------------------------------


def legacy_key(data: dict) -> str:
    """The dict key of the record in its legacy file."""
    return (data.get(LEGACY_KEY) or {}).get("key") or data["name"]


def legacy_from_data(category: Category, data: dict) -> dict:
    """The legacy record for stored record data: residue where still valid, derived otherwise."""
    residue = data.get(LEGACY_KEY) or {}
    values = _derived_values(category, data, residue)
    for legacy_key_name, (basis, raw) in (residue.get("pinned") or {}).items():
        if _basis(data, _mapped(category).get(legacy_key_name, ())) == basis:
            values[legacy_key_name] = raw
    for legacy_key_name, basis in (residue.get("absent") or {}).items():
        if _basis(data, _mapped(category).get(legacy_key_name, ())) == basis:
            values.pop(legacy_key_name, None)
    return {k: values[k] for k in merged_order(values, residue.get("order"), _canonical_order(category))}


def _derived_values(category: Category, data: dict, residue: dict) -> dict:
    order = residue.get("order")
    values: dict[str, Any] = dict(residue.get("extra") or {})
    values["name"] = data["name"]
    for field in ("description", "version"):
        if data.get(field) is not None:
            values[field] = data[field]
    values["config"] = legacy_config(data.get("config") or {}, residue)
    if category == Category.IMAGE_GENERATION:
        baseline = data.get("baseline")
        if baseline is not None:
            values["baseline"] = V2_TO_LEGACY_BASELINE.get(baseline, baseline)
        values.setdefault("type", DEFAULT_TYPES[category])
        values["inpainting"] = bool(data.get("inpainting"))
        values["nsfw"] = bool(data.get("nsfw"))
        for field in (
            "optimization",
            "style",
            "homepage",
            "requirements",
            "min_bridge_version",
            "size_on_disk_bytes",
        ):
            if data.get(field) is not None:
                values[field] = data[field]
        for field in _LIST_KEYS:
            items = data.get(field) or []
            if items or order is None or field in order:
                values[field] = list(items)
        if order is None:
            values.setdefault("download_all", False)
    elif category == Category.CONTROLNET:
        if data.get("controlnet_style") is not None:
            values["type"] = data["controlnet_style"]
            if order is None or "style" in order:
                values["style"] = data["controlnet_style"]
    else:
        if category == Category.CLIP and data.get("pretrained_name") is not None:
            values["pretrained_name"] = data["pretrained_name"]
        if category in DEFAULT_TYPES:
            values.setdefault("type", DEFAULT_TYPES[category])
    return values

"""The v2 record format: field specs per category, validation, and v2 dict <-> record data.

*Record data* is what the catalog stores for a record: the v2 record body without its envelope
(`record_type`, `metadata`, `model_classification`, which come from the category and the row's
timestamps), nulls dropped, keys in canonical order, plus an optional `legacy` residue (see
formats/legacy.py). Text records keep upstream's JSON alias `parameters` (never
`parameters_count`).

Pure functions; no ORM, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apps.catalog.categories import CATEGORIES, Category

SCHEMA_VERSION = "2.0.0"
LEGACY_KEY = "legacy"  # the residue key inside record data; never part of the v2 shape

KNOWN_BASELINES = (
    "infer",
    "stable_diffusion_1",
    "stable_diffusion_2_768",
    "stable_diffusion_2_512",
    "stable_diffusion_xl",
    "stable_cascade",
    "flux_1",
    "flux_schnell",
    "flux_dev",
    "qwen_image",
    "z_image_turbo",
)
BASELINE_ALTERNATIVES = (
    "stable diffusion 1",
    "stable diffusion 1.4",
    "stable diffusion 1.5",
    "SD1",
    "SD14",
    "SD1.4",
    "SD15",
    "SD1.5",
    "stable_diffusion",
    "stable_diffusion_1.4",
    "stable_diffusion_1.5",
    "stable diffusion xl",
    "SDXL",
    "stable cascade",
    "flux schnell",
    "flux dev",
    "qwen image",
    "qwen-image",
    "qwen",
    "z image turbo",
    "zimage-turbo",
    "zimage",
)
ACCEPTED_BASELINES = frozenset(KNOWN_BASELINES + BASELINE_ALTERNATIVES)
IMAGE_STYLES = ("generalist", "anime", "furry", "artistic", "other", "realistic")
CONTROLNET_STYLES = (
    "control_seg",
    "control_scribble",
    "control_fakescribbles",
    "control_openpose",
    "control_normal",
    "control_mlsd",
    "control_hough",
    "control_hed",
    "control_canny",
    "control_depth",
    "control_qr",
    "control_qr_xl",
    "control_lineart",
    "control_lineart_anime",
    "control_normal_bae",
    "control_recolor",
    "control_tile",
)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str  # str | bool | int | strlist | dict | config | finetune
    required: bool = False
    default: Any = None  # filled in when the value is absent or null (None: stays absent)
    description: str = ""


_BASE = (
    FieldSpec("name", "str", required=True, description="The model name; unique in its category."),
    FieldSpec("description", "str"),
    FieldSpec("version", "str", description="The model's own version (not its baseline)."),
    FieldSpec("finetune_series", "finetune"),
    FieldSpec("config", "config", default=None, description="Files to download."),
    FieldSpec("size_on_disk_bytes", "int"),
)
_IMAGE = (
    FieldSpec("inpainting", "bool", default=False),
    FieldSpec("baseline", "str", required=True),
    FieldSpec("optimization", "str"),
    FieldSpec("tags", "strlist", default=()),
    FieldSpec("showcases", "strlist", default=()),
    FieldSpec("min_bridge_version", "int"),
    FieldSpec("trigger", "strlist", default=()),
    FieldSpec("homepage", "str"),
    FieldSpec("nsfw", "bool", required=True),
    FieldSpec("style", "str"),
    FieldSpec("requirements", "dict"),
)
_TEXT = (
    FieldSpec("baseline", "str"),
    FieldSpec(
        "parameters", "int", required=True, description="Parameter count (upstream: parameters_count)."
    ),
    FieldSpec("nsfw", "bool", default=False),
    FieldSpec("style", "str"),
    FieldSpec("display_name", "str"),
    FieldSpec("url", "str"),
    FieldSpec("tags", "strlist"),
    FieldSpec("instruct_format", "str"),
    FieldSpec("settings", "dict"),
    FieldSpec("text_model_group", "str"),
    FieldSpec("name_schema_exception", "str"),
)
_MEDIA = (
    FieldSpec("baseline", "str"),
    FieldSpec("nsfw", "bool", default=False),
    FieldSpec("tags", "strlist"),
)
_PATCH = (
    *_MEDIA,
    FieldSpec("trigger", "strlist"),
    FieldSpec("homepage", "str"),
    FieldSpec("showcases", "strlist"),
)
CATEGORY_FIELDS: dict[Category, tuple[FieldSpec, ...]] = {
    Category.IMAGE_GENERATION: _IMAGE,
    Category.TEXT_GENERATION: _TEXT,
    Category.CONTROLNET: (FieldSpec("controlnet_style", "str"),),
    Category.CONTROLNET_ANNOTATOR: (
        FieldSpec("control_types", "strlist", default=()),
        FieldSpec("preprocessors", "strlist", default=()),
    ),
    Category.CLIP: (FieldSpec("pretrained_name", "str"),),
    Category.VIDEO_GENERATION: _MEDIA,
    Category.AUDIO_GENERATION: _MEDIA,
    Category.LORA: _PATCH,
    Category.TI: _PATCH,
}
DOWNLOAD_FIELDS = (
    FieldSpec("file_name", "str", required=True),
    FieldSpec("file_url", "str", required=True),
    FieldSpec("sha256sum", "str", default="FIXME"),
    FieldSpec("content_hash", "str"),
    FieldSpec("file_purpose", "str"),
    FieldSpec("known_slow_download", "bool"),
    FieldSpec("size_bytes", "int"),
)
FINETUNE_FIELDS = (
    FieldSpec("name", "str", required=True),
    FieldSpec("version", "str"),
    FieldSpec("author", "str"),
    FieldSpec("description", "str"),
    FieldSpec("homepage", "str"),
)
METADATA_FIELDS = ("schema_version", "created_at", "updated_at", "created_by", "updated_by")


def record_fields(category: Category) -> tuple[FieldSpec, ...]:
    """Every data field of a category's records, in canonical order."""
    return _BASE + CATEGORY_FIELDS.get(category, ())


def field_names(category: Category) -> list[str]:
    """All v2 field names of a category's records, as upstream's error messages list them."""
    names = [f.name for f in record_fields(category)]
    return ["record_type", *names[:4], "metadata", "config", "model_classification", *names[5:]]


# --- validation ---------------------------------------------------------------------------------


class V2ValidationError(ValueError):
    """The payload does not fit the category's v2 record; `errors` are pydantic-style dicts."""

    def __init__(self, errors: list[dict]) -> None:
        super().__init__("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors))
        self.errors = errors


_TYPE_ERRORS = {
    "str": ("string_type", "Input should be a valid string"),
    "bool": ("bool_type", "Input should be a valid boolean"),
    "int": ("int_type", "Input should be a valid integer"),
    "strlist": ("list_type", "Input should be a valid list"),
    "dict": ("dict_type", "Input should be a valid dictionary"),
    "config": ("model_type", "Input should be a valid dictionary or instance of GenericModelRecordConfig"),
    "finetune": ("model_type", "Input should be a valid dictionary or instance of FineTuneSeriesInfo"),
}


def _error(kind: str, loc: tuple, msg: str, value: Any) -> dict:
    return {"type": kind, "loc": list(loc), "msg": msg, "input": value}


def _clean_value(spec: FieldSpec, value: Any, loc: tuple, errors: list[dict]) -> Any:
    kind = spec.kind
    ok = {
        "str": lambda v: isinstance(v, str),
        "bool": lambda v: isinstance(v, bool),
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "strlist": lambda v: isinstance(v, list),
        "dict": lambda v: isinstance(v, dict),
        "config": lambda v: isinstance(v, dict),
        "finetune": lambda v: isinstance(v, dict),
    }[kind](value)
    if not ok:
        if kind == "int" and isinstance(value, float) and value.is_integer():
            return int(value)
        error_type, message = _TYPE_ERRORS[kind]
        errors.append(_error(error_type, loc, message, value))
        return None
    if kind == "strlist":
        cleaned = []
        for index, item in enumerate(value):
            if not isinstance(item, str):
                errors.append(_error("string_type", (*loc, index), "Input should be a valid string", item))
            else:
                cleaned.append(item.strip())
        return cleaned
    if kind == "config":
        return _clean_config(value, loc, errors)
    if kind == "finetune":
        return _clean_object(FINETUNE_FIELDS, value, loc, errors)
    return value


def _clean_object(specs: tuple[FieldSpec, ...], payload: dict, loc: tuple, errors: list[dict]) -> dict:
    out: dict[str, Any] = {}
    for spec in specs:
        value = payload.get(spec.name)
        if value is None:
            if spec.required:
                errors.append(_error("missing", (*loc, spec.name), "Field required", payload))
            elif spec.default is not None:
                out[spec.name] = list(spec.default) if isinstance(spec.default, tuple) else spec.default
            continue
        cleaned = _clean_value(spec, value, (*loc, spec.name), errors)
        if cleaned is not None:
            out[spec.name] = cleaned
    return out


def _clean_config(value: dict, loc: tuple, errors: list[dict]) -> dict:
    downloads = value.get("download")
    out: dict[str, Any] = {"download": []}
    if downloads is not None:
        if not isinstance(downloads, list):
            errors.append(_error("list_type", (*loc, "download"), "Input should be a valid list", downloads))
        else:
            for index, item in enumerate(downloads):
                if not isinstance(item, dict):
                    errors.append(
                        _error(
                            "model_type",
                            (*loc, "download", index),
                            "Input should be a valid dictionary or instance of DownloadRecord",
                            item,
                        )
                    )
                    continue
                out["download"].append(
                    _clean_object(DOWNLOAD_FIELDS, item, (*loc, "download", index), errors)
                )
    hashes = value.get("embedded_component_hashes")
    if hashes is not None:
        if not isinstance(hashes, dict) or not all(isinstance(v, str) for v in hashes.values()):
            errors.append(
                _error(
                    "dict_type",
                    (*loc, "embedded_component_hashes"),
                    "Input should be a valid dictionary of strings",
                    hashes,
                )
            )
        else:
            out["embedded_component_hashes"] = dict(hashes)
    return out


def validate_record(category: Category, payload: Any, *, loc: tuple = ("body",)) -> dict:
    """Clean a v2 record payload into record data (canonical order, defaults, no nulls).

    `record_type`, `metadata` and `model_classification` are accepted and dropped (they are
    derived); unknown keys are ignored, as upstream does. Raises V2ValidationError.
    """
    if not isinstance(payload, dict):
        raise V2ValidationError(
            [_error("model_attributes_type", loc, "Input should be a valid dictionary", payload)]
        )
    errors: list[dict] = []
    record_type = payload.get("record_type")
    if record_type is not None and record_type != category.value:
        errors.append(
            _error("literal_error", (*loc, "record_type"), f"Input should be '{category.value}'", record_type)
        )
    data = _clean_object(record_fields(category), payload, loc, errors)
    data.setdefault("config", {"download": []})
    if category == Category.IMAGE_GENERATION:
        _check_image(data, loc, errors)
    if category == Category.TEXT_GENERATION and "parameters" in data and data["parameters"] <= 0:
        errors.append(
            _error("greater_than", (*loc, "parameters"), "Input should be greater than 0", data["parameters"])
        )
    if errors:
        raise V2ValidationError(errors)
    return order_data(category, data)


def _check_image(data: dict, loc: tuple, errors: list[dict]) -> None:
    baseline = data.get("baseline")
    if baseline is not None and baseline not in ACCEPTED_BASELINES:
        errors.append(_error("value_error", loc, f"Value error, Unknown baseline: {baseline}", baseline))
    style = data.get("style")
    if style is not None:
        data["style"] = style = style.strip()
        if style not in IMAGE_STYLES:
            errors.append(_error("value_error", loc, f"Value error, Unknown style: {style}", style))


def order_data(category: Category, data: dict) -> dict:
    """Record data with keys in canonical order; the legacy residue, if any, last."""
    ordered = {f.name: data[f.name] for f in record_fields(category) if data.get(f.name) is not None}
    if data.get(LEGACY_KEY):
        ordered[LEGACY_KEY] = data[LEGACY_KEY]
    return ordered


# --- v2 dict <-> record data --------------------------------------------------------------------


@dataclass(frozen=True)
class RecordMeta:
    created_at: int | None = None
    updated_at: int | None = None
    created_by: str | None = None
    updated_by: str | None = None


def meta_from_payload(payload: dict) -> RecordMeta:
    meta = payload.get("metadata") if isinstance(payload, dict) else None
    if not isinstance(meta, dict):
        return RecordMeta()

    def pick(key: str, kind: type) -> Any:
        value = meta.get(key)
        return value if isinstance(value, kind) and not isinstance(value, bool) else None

    return RecordMeta(
        pick("created_at", int), pick("updated_at", int), pick("created_by", str), pick("updated_by", str)
    )


def render_record(category: Category, data: dict, meta: RecordMeta) -> dict:
    """The v2 record dict of a stored record: envelope + data, nulls dropped, residue left out."""
    info = CATEGORIES[category]
    metadata = {"schema_version": SCHEMA_VERSION}
    for key in METADATA_FIELDS[1:]:
        value = getattr(meta, key)
        if value is not None:
            metadata[key] = value
    out: dict[str, Any] = {"record_type": category.value}
    for spec in record_fields(category):
        if spec.name == "config":
            out["metadata"] = metadata
            out["config"] = data.get("config") or {"download": []}
            out["model_classification"] = {"domain": info.domain, "purpose": info.purpose}
            continue
        value = data.get(spec.name)
        if value is not None:
            out[spec.name] = value
    return out


def strip_residue(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != LEGACY_KEY}

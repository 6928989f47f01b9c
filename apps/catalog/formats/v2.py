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
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    create_model,
    model_validator,
)

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
    gt: int | None = None  # an int's exclusive lower bound


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
        "parameters",
        "int",
        required=True,
        description="Parameter count (upstream: parameters_count).",
        gt=0,
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
#
# pydantic models built from the field specs, named like upstream's classes (the names appear in
# its messages), so the errors are pydantic's own. Strict: a boolean is `true`/`false`, an integer
# a JSON integer (or a whole float), never a string. A null counts as absent (the default
# applies); unknown keys are ignored; list items are whitespace-stripped.


class V2ValidationError(ValueError):
    """The payload does not fit the category's v2 record; `errors` are pydantic's (located under `loc`)."""

    def __init__(self, errors: list[dict]) -> None:
        super().__init__("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors))
        self.errors = errors


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True)

    @model_validator(mode="before")
    @classmethod
    def _nulls_are_absent(cls, value: Any) -> Any:
        return {k: v for k, v in value.items() if v is not None} if isinstance(value, dict) else value


def _whole(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


_TYPES: dict[str, Any] = {
    "str": str,
    "bool": bool,
    "int": Annotated[int, BeforeValidator(_whole)],
    "strlist": list[Annotated[str, StringConstraints(strip_whitespace=True)]],
    "dict": dict[str, Any],
}


def _default(spec: FieldSpec) -> Any:
    if spec.required:
        return Field(gt=spec.gt)
    if spec.kind == "config":
        return Field(default_factory=GenericModelRecordConfig)
    if isinstance(spec.default, tuple):
        return Field(default_factory=list)
    return Field(spec.default, gt=spec.gt)


def _model(name: str, specs: tuple[FieldSpec, ...], **fields: Any) -> type[BaseModel]:
    fields.update({spec.name: (_TYPES[spec.kind], _default(spec)) for spec in specs})
    return create_model(name, __base__=_Strict, **fields)


DownloadRecord = _model("DownloadRecord", DOWNLOAD_FIELDS)
_TYPES["finetune"] = FineTuneSeriesInfo = _model("FineTuneSeriesInfo", FINETUNE_FIELDS)


class GenericModelRecordConfig(_Strict):
    download: list[DownloadRecord] = Field(default_factory=list)
    embedded_component_hashes: dict[str, str] | None = None


_TYPES["config"] = GenericModelRecordConfig


@cache
def _record_model(category: Category) -> type[BaseModel]:
    record_type = (Literal[category.value], Field(None, exclude=True))  # accepted, not stored
    return _model(CATEGORIES[category].record_class, record_fields(category), record_type=record_type)


def _error(kind: str, loc: tuple, msg: str, value: Any) -> dict:
    return {"type": kind, "loc": list(loc), "msg": msg, "input": value}


def validate_record(category: Category, payload: Any, *, loc: tuple = ("body",)) -> dict:
    """Clean a v2 record payload into record data (canonical order, defaults, no nulls).

    `record_type` (if given, the category's), `metadata` and `model_classification` are accepted
    and dropped (they are derived); unknown keys are ignored, as upstream does. An image record's
    baseline and style must be known ones. Raises V2ValidationError.
    """
    if not isinstance(payload, dict):
        raise V2ValidationError(
            [_error("model_attributes_type", loc, "Input should be a valid dictionary", payload)]
        )
    data, errors = {}, []
    try:
        data = _record_model(category).model_validate(payload).model_dump(exclude_none=True)
    except ValidationError as exc:
        errors = [{**e, "loc": [*loc, *e["loc"]]} for e in exc.errors(include_url=False)]
    if category == Category.IMAGE_GENERATION:
        errors += _image_errors(payload, data, loc)
    if errors:
        raise V2ValidationError(errors)
    return data


def _image_errors(payload: dict, data: dict, loc: tuple) -> list[dict]:
    """Upstream's checks of the whole record, reported beside the field errors; strips the style."""
    errors = []
    baseline, style = payload.get("baseline"), payload.get("style")
    if isinstance(baseline, str) and baseline not in ACCEPTED_BASELINES:
        errors.append(_error("value_error", loc, f"Value error, Unknown baseline: {baseline}", baseline))
    if isinstance(style, str):
        style = data["style"] = style.strip()
        if style not in IMAGE_STYLES:
            errors.append(_error("value_error", loc, f"Value error, Unknown style: {style}", style))
    return errors


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

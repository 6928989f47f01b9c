"""Typed records: one pydantic model per category, the server's v2 record shapes.

Tolerant by default: keys a model does not declare are kept (`model_extra`), never an error, so a
field added on the server never breaks an old worker. Strict mode (`validate_record(...,
strict=True)`) refuses them. Records are frozen: the manager shares them between callers; use
`record.model_copy(update={...})` for an edited copy. Importing this module imports pydantic, so
the manager imports it only when a typed record is first asked for.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from hmr_client.categories import CLASSIFICATION, Category
from hmr_client.errors import StrictModeError


class _Record(BaseModel):
    # defer_build: a model's validator is built when it first validates, so categories that are
    # never read (or empty) cost nothing at start.
    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True, defer_build=True)


class _Part(_Record):
    # The parts every record holds are built at once, so each record type reuses them.
    model_config = ConfigDict(defer_build=False)


class DownloadRecord(_Part):
    file_name: str
    file_url: str
    sha256sum: str = "FIXME"
    content_hash: str | None = None
    file_purpose: str | None = None
    known_slow_download: bool | None = None
    size_bytes: int | None = None


class ModelConfig(_Part):
    download: list[DownloadRecord] = Field(default_factory=list)
    embedded_component_hashes: dict[str, str] | None = None


class RecordMetadata(_Part):
    schema_version: str = "2.0.0"
    created_at: int | None = None
    updated_at: int | None = None
    created_by: str | None = None
    updated_by: str | None = None


class ModelClassification(_Part):
    domain: str
    purpose: str


class FinetuneSeries(_Part):
    name: str
    version: str | None = None
    author: str | None = None
    description: str | None = None
    homepage: str | None = None


class GenericModelRecord(_Record):
    # The category of a subclass's records: the default of `record_type` and `model_classification`.
    CATEGORY: ClassVar[Category | None] = None

    record_type: str
    name: str
    description: str | None = None
    version: str | None = None
    finetune_series: FinetuneSeries | None = None
    metadata: RecordMetadata = Field(default_factory=RecordMetadata)
    config: ModelConfig = Field(default_factory=ModelConfig)
    model_classification: ModelClassification
    size_on_disk_bytes: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _category_defaults(cls, data: Any) -> Any:
        if cls.CATEGORY is None or not isinstance(data, dict):
            return data
        if "record_type" in data and "model_classification" in data:  # as the server sends records
            return data
        domain, purpose = CLASSIFICATION[cls.CATEGORY]
        defaults = {
            "record_type": cls.CATEGORY.value,
            "model_classification": {"domain": domain, "purpose": purpose},
        }
        return {**defaults, **data}


class ImageGenerationModelRecord(GenericModelRecord):
    CATEGORY = Category.IMAGE_GENERATION
    baseline: str
    nsfw: bool
    inpainting: bool | None = False
    optimization: str | None = None
    homepage: str | None = None
    style: str | None = None
    tags: list[str] = Field(default_factory=list)
    showcases: list[str] = Field(default_factory=list)
    trigger: list[str] = Field(default_factory=list)
    min_bridge_version: int | None = None
    requirements: dict[str, Any] | None = None

    @field_validator("tags", "showcases", "trigger", mode="before")
    @classmethod
    def _null_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value


class TextGenerationModelRecord(GenericModelRecord):
    CATEGORY = Category.TEXT_GENERATION
    parameters_count: int = Field(alias="parameters")
    nsfw: bool = False
    baseline: str | None = None
    style: str | None = None
    display_name: str | None = None
    url: str | None = None
    tags: list[str] | None = None
    instruct_format: str | None = None
    settings: dict[str, Any] | None = None
    text_model_group: str | None = None
    name_schema_exception: str | None = None


class ControlNetModelRecord(GenericModelRecord):
    CATEGORY = Category.CONTROLNET
    controlnet_style: str | None = None


class ControlNetAnnotatorModelRecord(GenericModelRecord):
    CATEGORY = Category.CONTROLNET_ANNOTATOR
    control_types: list[str] = Field(default_factory=list)
    preprocessors: list[str] = Field(default_factory=list)


class ClipModelRecord(GenericModelRecord):
    CATEGORY = Category.CLIP
    pretrained_name: str | None = None


class BlipModelRecord(GenericModelRecord):
    CATEGORY = Category.BLIP


class CodeformerModelRecord(GenericModelRecord):
    CATEGORY = Category.CODEFORMER


class EsrganModelRecord(GenericModelRecord):
    CATEGORY = Category.ESRGAN


class GfpganModelRecord(GenericModelRecord):
    CATEGORY = Category.GFPGAN


class SafetyCheckerModelRecord(GenericModelRecord):
    CATEGORY = Category.SAFETY_CHECKER


class MiscellaneousModelRecord(GenericModelRecord):
    CATEGORY = Category.MISCELLANEOUS


class _MediaGeneration(GenericModelRecord):
    baseline: str | None = None
    nsfw: bool = False
    tags: list[str] | None = None


class VideoGenerationModelRecord(_MediaGeneration):
    CATEGORY = Category.VIDEO_GENERATION


class AudioGenerationModelRecord(_MediaGeneration):
    CATEGORY = Category.AUDIO_GENERATION


class _Patch(_MediaGeneration):
    trigger: list[str] | None = None
    homepage: str | None = None
    showcases: list[str] | None = None


class LoraModelRecord(_Patch):
    CATEGORY = Category.LORA


class TiModelRecord(_Patch):
    CATEGORY = Category.TI


RECORD_TYPES: dict[Category, type[GenericModelRecord]] = {
    Category.BLIP: BlipModelRecord,
    Category.CLIP: ClipModelRecord,
    Category.CODEFORMER: CodeformerModelRecord,
    Category.CONTROLNET: ControlNetModelRecord,
    Category.CONTROLNET_ANNOTATOR: ControlNetAnnotatorModelRecord,
    Category.ESRGAN: EsrganModelRecord,
    Category.GFPGAN: GfpganModelRecord,
    Category.SAFETY_CHECKER: SafetyCheckerModelRecord,
    Category.IMAGE_GENERATION: ImageGenerationModelRecord,
    Category.TEXT_GENERATION: TextGenerationModelRecord,
    Category.VIDEO_GENERATION: VideoGenerationModelRecord,
    Category.AUDIO_GENERATION: AudioGenerationModelRecord,
    Category.MISCELLANEOUS: MiscellaneousModelRecord,
    Category.LORA: LoraModelRecord,
    Category.TI: TiModelRecord,
}


class CategoryMetadata(BaseModel):
    """`GET /v2/metadata/{category}`: when and how a category last changed on the server."""

    model_config = ConfigDict(extra="allow", frozen=True, defer_build=True)

    category: str
    last_updated: int | None = None
    last_operation_type: str | None = None
    last_operation_model: str | None = None
    total_creates: int = 0
    total_updates: int = 0
    total_deletes: int = 0
    total_models: int = 0
    initialization_time: int | None = None
    last_successful_operation: int | None = None
    error_count: int = 0
    metadata_schema_version: str | None = None
    backend_type: str | None = None


class UsageStats(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, defer_build=True)

    day: int = 0
    month: int = 0
    total: int = 0


class PopularModelStats(BaseModel):
    """A record's live AI-Horde figures, as the server's usage snapshot holds them."""

    model_config = ConfigDict(extra="allow", frozen=True, defer_build=True)

    worker_count: int = 0
    queued_jobs: int | None = None
    queued: int | None = None
    performance: float | None = None
    eta: int | None = None
    usage_stats: UsageStats | None = None
    worker_summaries: dict[str, dict[str, Any]] | None = None
    observed_at: int | None = None  # unix time of the server's snapshot


class PopularModelResult(BaseModel):
    """`GET /v2/{category}/popular`: a record with its live figures (the replaced library's name)."""

    model_config = ConfigDict(extra="allow", frozen=True, defer_build=True)

    name: str
    record: dict[str, Any]
    stats: PopularModelStats


def unknown_keys(model: BaseModel, path: str = "") -> list[str]:
    """Dotted paths of every key `model` (and the models inside it) did not declare."""
    found = [f"{path}{key}" for key in model.model_extra or {}]
    for field in type(model).model_fields:
        value = getattr(model, field)
        if isinstance(value, BaseModel):
            found += unknown_keys(value, f"{path}{field}.")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    found += unknown_keys(item, f"{path}{field}[{index}].")
    return found


def validate_record(category: Category, name: str, data: Any, *, strict: bool) -> GenericModelRecord:
    """The typed record of `data`. Raises ValidationError (tolerant) or StrictModeError (strict)."""
    record_type = RECORD_TYPES[category]
    if not strict:
        return record_type.model_validate(data)
    try:
        record = record_type.model_validate(data)
    except ValidationError as error:
        raise StrictModeError(category.value, name, [_describe(e) for e in error.errors()]) from error
    extra = unknown_keys(record)
    if extra:
        raise StrictModeError(category.value, name, [f"unknown key {key!r}" for key in extra])
    return record


def _describe(error: Any) -> str:
    location = ".".join(str(part) for part in error["loc"])
    return f"{location}: {error['msg']}" if location else error["msg"]

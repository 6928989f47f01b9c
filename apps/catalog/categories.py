"""The 15 model reference categories and what each one is: domain, purpose, legacy file, repo.

Pure Python (no Django): the format code imports it. Models take their `choices` from
`enum_choices` (apps/core/fields.py).
"""

from dataclasses import dataclass
from enum import StrEnum


class _Labelled(StrEnum):
    @property
    def label(self) -> str:
        """A human name, as Django's TextChoices would make it: `IMAGE_GENERATION` -> "Image Generation"."""
        return self.name.replace("_", " ").title()


class Category(_Labelled):
    # Upstream's MODEL_REFERENCE_CATEGORY order; v1/v2 `model_categories` list them in this order.
    BLIP = "blip"
    CLIP = "clip"
    CODEFORMER = "codeformer"
    CONTROLNET = "controlnet"
    CONTROLNET_ANNOTATOR = "controlnet_annotator"
    ESRGAN = "esrgan"
    GFPGAN = "gfpgan"
    SAFETY_CHECKER = "safety_checker"
    IMAGE_GENERATION = "image_generation"
    TEXT_GENERATION = "text_generation"
    VIDEO_GENERATION = "video_generation"
    AUDIO_GENERATION = "audio_generation"
    MISCELLANEOUS = "miscellaneous"
    LORA = "lora"
    TI = "ti"


class Repo(_Labelled):
    IMAGE = "image"
    TEXT = "text"


@dataclass(frozen=True)
class CategoryInfo:
    category: Category
    domain: str
    purpose: str
    record_class: str  # upstream's record class name, used in messages and OpenAPI components
    legacy_file: str | None = None  # file name in the legacy repo; None: v2-only category
    repo: Repo | None = None
    managed_elsewhere: bool = False  # lora/ti: no records here; v1 answers {} (or lora.json's kept list)

    @property
    def v2_file(self) -> str:
        if self.category == Category.IMAGE_GENERATION:
            return "stable_diffusion.json"
        return f"{self.category.value}.json"

    @property
    def is_text(self) -> bool:
        return self.category == Category.TEXT_GENERATION


_IMAGE = Repo.IMAGE
CATEGORIES: dict[Category, CategoryInfo] = {
    info.category: info
    for info in (
        CategoryInfo(Category.BLIP, "image", "feature_extractor", "BlipModelRecord", "blip.json", _IMAGE),
        CategoryInfo(Category.CLIP, "image", "feature_extractor", "ClipModelRecord", "clip.json", _IMAGE),
        CategoryInfo(
            Category.CODEFORMER,
            "image",
            "post_processing",
            "CodeformerModelRecord",
            "codeformer.json",
            _IMAGE,
        ),
        CategoryInfo(
            Category.CONTROLNET,
            "image",
            "auxiliary_or_patch",
            "ControlNetModelRecord",
            "controlnet.json",
            _IMAGE,
        ),
        CategoryInfo(
            Category.CONTROLNET_ANNOTATOR, "image", "auxiliary_or_patch", "ControlNetAnnotatorModelRecord"
        ),
        CategoryInfo(Category.ESRGAN, "image", "post_processing", "EsrganModelRecord", "esrgan.json", _IMAGE),
        CategoryInfo(Category.GFPGAN, "image", "post_processing", "GfpganModelRecord", "gfpgan.json", _IMAGE),
        CategoryInfo(
            Category.SAFETY_CHECKER,
            "image",
            "safety_checker",
            "SafetyCheckerModelRecord",
            "safety_checker.json",
            _IMAGE,
        ),
        CategoryInfo(
            Category.IMAGE_GENERATION,
            "image",
            "generation",
            "ImageGenerationModelRecord",
            "stable_diffusion.json",
            _IMAGE,
        ),
        CategoryInfo(
            Category.TEXT_GENERATION,
            "text",
            "generation",
            "TextGenerationModelRecord",
            "models.csv",
            Repo.TEXT,
        ),
        CategoryInfo(Category.VIDEO_GENERATION, "video", "generation", "VideoGenerationModelRecord"),
        CategoryInfo(Category.AUDIO_GENERATION, "audio", "generation", "AudioGenerationModelRecord"),
        CategoryInfo(
            Category.MISCELLANEOUS,
            "image",
            "miscellaneous",
            "MiscellaneousModelRecord",
            "miscellaneous.json",
            _IMAGE,
        ),
        CategoryInfo(
            Category.LORA,
            "image",
            "auxiliary_or_patch",
            "LoraModelRecord",
            "lora.json",
            _IMAGE,
            managed_elsewhere=True,
        ),
        CategoryInfo(Category.TI, "image", "auxiliary_or_patch", "TiModelRecord", managed_elsewhere=True),
    )
}

# Files the image repo carries that are not served categories; a legacy directory import skips them.
IGNORED_IMAGE_FILES = frozenset(
    {
        "stable_diffusion.schema.json",
        "aitemplate.json",
        "db_dep.json",
        "db_embeds.json",
        "db.json",
        "models.json",
        "diffusers.json",
        "model_mod_data.json",  # per-model commit history the repo's tooling keeps
    }
)
TEXT_DB_FILE = "db.json"


def served_categories() -> list[Category]:
    """Categories with a v2 document (lora and ti are managed elsewhere)."""
    return [c for c, info in CATEGORIES.items() if not info.managed_elsewhere]


def legacy_categories(repo: Repo | None = None) -> list[CategoryInfo]:
    return [i for i in CATEGORIES.values() if i.legacy_file and (repo is None or i.repo == repo)]


def category_by_legacy_file(file_name: str) -> CategoryInfo | None:
    for info in CATEGORIES.values():
        if info.legacy_file == file_name and info.repo == Repo.IMAGE:
            return info
    return None

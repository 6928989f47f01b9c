"""The model reference categories (the server's v2 category names, in the server's order)."""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
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


# The name the replaced library gives this enumeration, for code that switches by changing an import.
MODEL_REFERENCE_CATEGORY = Category

# lora and ti have no document on the server (they are managed elsewhere): never fetched.
MANAGED_ELSEWHERE = frozenset({Category.LORA, Category.TI})
SERVED = tuple(c for c in Category if c not in MANAGED_ELSEWHERE)

# (domain, purpose) of each category: the default `model_classification` of its records.
CLASSIFICATION: dict[Category, tuple[str, str]] = {
    Category.BLIP: ("image", "feature_extractor"),
    Category.CLIP: ("image", "feature_extractor"),
    Category.CODEFORMER: ("image", "post_processing"),
    Category.CONTROLNET: ("image", "auxiliary_or_patch"),
    Category.CONTROLNET_ANNOTATOR: ("image", "auxiliary_or_patch"),
    Category.ESRGAN: ("image", "post_processing"),
    Category.GFPGAN: ("image", "post_processing"),
    Category.SAFETY_CHECKER: ("image", "safety_checker"),
    Category.IMAGE_GENERATION: ("image", "generation"),
    Category.TEXT_GENERATION: ("text", "generation"),
    Category.VIDEO_GENERATION: ("video", "generation"),
    Category.AUDIO_GENERATION: ("audio", "generation"),
    Category.MISCELLANEOUS: ("image", "miscellaneous"),
    Category.LORA: ("image", "auxiliary_or_patch"),
    Category.TI: ("image", "auxiliary_or_patch"),
}


def parse_category(value: Category | str) -> Category:
    """The category named by `value` (exact v2 names); ValueError naming the valid ones otherwise."""
    if isinstance(value, Category):
        return value
    try:
        return Category(value)
    except ValueError:
        valid = ", ".join(c.value for c in Category)
        raise ValueError(f"Unknown category {value!r}. Valid categories: {valid}") from None

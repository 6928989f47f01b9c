"""Template filters of the public catalog: sizes, parameter counts, baselines and categories as
people read them."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from django import template

from apps.catalog.categories import Category

register = template.Library()

BASELINE_LABELS = {
    "stable_diffusion_1": "SD 1.x",
    "stable_diffusion_2_768": "SD 2.x (768)",
    "stable_diffusion_2_512": "SD 2.x (512)",
    "stable_diffusion_xl": "SDXL",
    "stable_cascade": "Stable Cascade",
    "flux_1": "Flux.1",
    "flux_schnell": "Flux.1 Schnell",
    "flux_dev": "Flux.1 Dev",
    "qwen_image": "Qwen-Image",
    "z_image_turbo": "Z-Image Turbo",
    "infer": "inferred",
}
CATEGORY_BLURBS = {
    Category.IMAGE_GENERATION: "Checkpoints that turn prompts into images (Stable Diffusion, SDXL, Flux, …).",
    Category.TEXT_GENERATION: "Language models workers serve for text generation, by base model and size.",
    Category.CONTROLNET: "ControlNet models that guide image generation with poses, edges or depth.",
    Category.CONTROLNET_ANNOTATOR: "Annotators that prepare the control images ControlNet models read.",
    Category.CLIP: "CLIP models for prompt and image understanding.",
    Category.BLIP: "BLIP models for image captioning.",
    Category.ESRGAN: "Upscalers (ESRGAN family).",
    Category.GFPGAN: "Face restoration (GFPGAN).",
    Category.CODEFORMER: "Face restoration (CodeFormer).",
    Category.SAFETY_CHECKER: "The safety checker that screens generated images.",
    Category.MISCELLANEOUS: "Other utility models workers load.",
    Category.VIDEO_GENERATION: "Models that generate video.",
    Category.AUDIO_GENERATION: "Models that generate audio.",
}


@register.filter
def params(count: int | None) -> str:
    """12000000000 -> "12B", 500000000 -> "0.5B", 125000000 -> "125M"."""
    if not count:
        return "—"
    if count >= 1_000_000_000 or count % 100_000_000 == 0:
        return f"{count / 1e9:.1f}".rstrip("0").rstrip(".") + "B"
    return f"{count / 1e6:.0f}M"


@register.filter
def filesize(size: int | None) -> str:
    if not size:
        return "—"
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"


@register.filter
def baseline_label(value: str | None) -> str:
    if not value:
        return "—"
    return BASELINE_LABELS.get(value, value)


@register.filter
def category_label(value) -> str:
    category = Category(value)
    return {
        Category.ESRGAN: "ESRGAN",
        Category.GFPGAN: "GFPGAN",
        Category.CLIP: "CLIP",
        Category.BLIP: "BLIP",
    }.get(category, category.label.replace("Controlnet", "ControlNet"))


@register.filter
def category_blurb(value) -> str:
    return CATEGORY_BLURBS.get(Category(value), "")


@register.filter
def operation_label(operation: str) -> str:
    return {"create": "added", "update": "updated", "delete": "removed"}.get(operation, operation)


@register.filter
def is_text(value) -> bool:
    return isinstance(value, str)


@register.filter
def json_text(value) -> str:
    """A non-string value as compact JSON (escaped by the template like any text)."""
    return json.dumps(value, ensure_ascii=False)


@register.filter
def web_url(value) -> str:
    """The address if it is an http(s) URL, else "": record data never becomes a `javascript:`
    link or image source (templates show such a value as text only)."""
    if isinstance(value, str) and urlsplit(value.strip()).scheme.lower() in ("http", "https"):
        return value.strip()
    return ""

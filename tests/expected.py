"""Facts the tests compare against, written out once."""

# Upstream's MODEL_REFERENCE_CATEGORY order (v1 model_categories, metadata listings).
ALL_CATEGORIES = [
    "blip",
    "clip",
    "codeformer",
    "controlnet",
    "controlnet_annotator",
    "esrgan",
    "gfpgan",
    "safety_checker",
    "image_generation",
    "text_generation",
    "video_generation",
    "audio_generation",
    "miscellaneous",
    "lora",
    "ti",
]
# v2 model_categories: the categories with a v2 document (lora and ti are managed elsewhere).
V2_CATEGORIES = ALL_CATEGORIES[:-2]

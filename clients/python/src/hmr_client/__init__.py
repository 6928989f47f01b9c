"""hmr-client: read the AI-Horde model reference from an HMR server.

    from hmr_client import ModelReferenceManager
    manager = ModelReferenceManager("https://models.aihorde.net/api")
    manager.get_model("image_generation", "AlbedoBase XL (SDXL)").baseline

Importing the package is cheap and makes no request: httpx is imported with the first request,
pydantic (the record classes below) with the first typed record.
"""

from __future__ import annotations

import importlib
from typing import Any

from hmr_client.cache import CacheStatus
from hmr_client.categories import MODEL_REFERENCE_CATEGORY, Category
from hmr_client.errors import (
    AuthError,
    HMRClientError,
    ModelNotFound,
    ReferenceUnavailable,
    ServerError,
    StrictModeError,
)
from hmr_client.manager import DeferredPrefetchHandle, ModelReferenceManager, PrefetchStrategy

__version__ = "0.1.0"

_QUERIES = ("Query", "ImageGenerationQuery", "TextGenerationQuery", "ControlNetQuery")
_RECORDS = (
    "RECORD_TYPES",
    "CategoryMetadata",
    "PopularModelResult",
    "PopularModelStats",
    "UsageStats",
    "DownloadRecord",
    "ModelConfig",
    "RecordMetadata",
    "ModelClassification",
    "FinetuneSeries",
    "GenericModelRecord",
    *(
        f"{kind}ModelRecord"
        for kind in (
            "Blip", "Clip", "Codeformer", "ControlNet", "ControlNetAnnotator", "Esrgan", "Gfpgan",
            "SafetyChecker", "ImageGeneration", "TextGeneration", "VideoGeneration", "AudioGeneration",
            "Miscellaneous", "Lora", "Ti",
        )
    ),
)  # fmt: skip


def __getattr__(name: str) -> Any:
    """Record classes and queries are imported on first use (they import pydantic)."""
    if name in _QUERIES:
        return getattr(importlib.import_module("hmr_client.query"), name)
    if name in _RECORDS:
        return getattr(importlib.import_module("hmr_client.records"), name)
    raise AttributeError(f"module 'hmr_client' has no attribute {name!r}")


__all__ = [
    "MODEL_REFERENCE_CATEGORY",
    "AuthError",
    "CacheStatus",
    "Category",
    "DeferredPrefetchHandle",
    "HMRClientError",
    "ModelNotFound",
    "ModelReferenceManager",
    "PrefetchStrategy",
    "ReferenceUnavailable",
    "ServerError",
    "StrictModeError",
    *_QUERIES,
    *_RECORDS,
]

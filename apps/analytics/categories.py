"""The categories AI-Horde serves, and the kind AI-Horde calls each one. Pure."""

from __future__ import annotations

from apps.catalog.categories import Category

HORDE_KINDS: dict[Category, str] = {Category.IMAGE_GENERATION: "image", Category.TEXT_GENERATION: "text"}
LIVE_CATEGORIES: tuple[Category, ...] = tuple(HORDE_KINDS)

"""The category in a path, as each API version parses it, with upstream's messages (one place).

- v1 takes upstream's aliases: `db.json` -> text_generation, a trailing `.json` dropped,
  `stable_diffusion` -> image_generation; anything else unknown is a 422 with its message.
- v2 takes exact values only; unknown is FastAPI's 422 enum error.
- search answers upstream's own 422 message.
"""

from __future__ import annotations

from apps.api.errors import RequestValidationError, validation_error
from apps.catalog.categories import Category
from apps.core.errors import ApplicationError

_EXPECTED = ", ".join(f"'{c.value}'" for c in list(Category)[:-1]) + f" or '{list(Category)[-1].value}'"


def parse_v1_category(raw: str) -> Category:
    name = "text_generation" if raw == "db.json" else raw.removesuffix(".json")
    if name == "stable_diffusion":
        name = Category.IMAGE_GENERATION.value
    try:
        return Category(name)
    except ValueError:
        raise ApplicationError(
            f"Invalid model category: '{name}'. '{name}' is not a valid MODEL_REFERENCE_CATEGORY", status=422
        ) from None


def parse_v2_category(raw: str, *, loc: str = "model_category_name", where: str = "path") -> Category:
    try:
        return Category(raw)
    except ValueError:
        raise RequestValidationError(
            [validation_error([where, loc], f"Input should be {_EXPECTED}", raw, "enum", expected=_EXPECTED)]
        ) from None


def parse_search_category(raw: str) -> Category:
    try:
        return Category(raw)
    except ValueError:
        raise ApplicationError(
            f"Unknown category '{raw}'. Valid: {[c.value for c in Category]}", status=422
        ) from None

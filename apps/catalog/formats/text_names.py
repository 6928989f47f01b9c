"""Text model names: backend variants and the base-model group name. Pure functions."""

from __future__ import annotations

import re

BACKENDS = ("aphrodite", "koboldcpp")


def model_name(name: str) -> str:
    """The name without its author: the second "/"-segment, as the text repo's convert.py does."""
    return name.split("/")[1] if "/" in name else name


def backend_variants(name: str) -> list[str]:
    """The legacy keys a base text model gets besides its own: `aphrodite/<name>`, `koboldcpp/<model>`."""
    return [f"aphrodite/{name}", f"koboldcpp/{model_name(name)}"]


def backend_prefix(name: str) -> str | None:
    """The backend a name is prefixed with (`aphrodite/...`), or None for a base name."""
    head, sep, _ = name.partition("/")
    return head if sep and head in BACKENDS else None


def strip_backend(name: str) -> str:
    return name.split("/", 1)[1] if backend_prefix(name) else name


_DOTTED_VERSION = re.compile(r"^\d+(?:\.\d+)+[-_ .]")
_SIZE = re.compile(r"(?i)(?<![A-Za-z0-9])(\d+x\d+(?:\.\d+)?[bm]|\d+(?:\.\d+)?[bm])(?![A-Za-z0-9])")
_V_VERSION = re.compile(r"(?i)(?<![A-Za-z0-9])v\d+(?:\.\d+)*(?![A-Za-z0-9])")
_QUANT = re.compile(
    r"(?i)(?<![A-Za-z0-9])(Q\d(?:_[A-Z0-9]+)*|GGUF|GGML|GPTQ|AWQ|EXL2|fp16|fp32|int8|int4)(?![A-Za-z0-9])"
)
_VARIANT = re.compile(
    r"(?i)(?<![A-Za-z0-9])(Instruct|Chat|Code|Base|Uncensored|Finetune|FT|Thinking|Reasoning|turbo|preview|latest)"
    r"(?![A-Za-z0-9])"
)
_DATE = re.compile(r"(?<![A-Za-z0-9])(\d{2}-\d{4}|\d{4}-\d{2}|\d{4})(?![A-Za-z0-9])")
_SEPARATORS = re.compile(r"([-_ .])[-_ .]+")


def text_model_group(name: str) -> str:
    """The base-model group of a text model (upstream's get_base_model_name).

    Strip the backend prefix and the author, then in order a leading dotted version, the first
    size, a v-version, quantisation, variant words and a date; collapse doubled separators and
    trim. `anthracite-org/magnum-12b-v2` -> `magnum`.
    """
    base = strip_backend(name)
    base = base.split("/", 1)[1] if "/" in base else base
    original = base
    base = _DOTTED_VERSION.sub("", base, count=1)
    base = _SIZE.sub("", base, count=1)
    for pattern in (_V_VERSION, _QUANT, _VARIANT, _DATE):
        base = pattern.sub("", base)
    base = _SEPARATORS.sub(r"\1", base).strip("-_ .")
    return base or original


def name_size(name: str) -> str | None:
    """The parameter size written in a model name (`12B`, `8x7B`), upper-cased, or None."""
    found = _SIZE.search(strip_backend(name).split("/")[-1])
    return found.group(1).upper() if found else None


def name_quant(name: str) -> str | None:
    found = _QUANT.search(strip_backend(name).split("/")[-1])
    return found.group(1) if found else None

"""Text model names: the one parser (author, base name, size, variant, quantisation, version and
the extra parts), the base-model group, and the backend variants. Pure functions.

Everything that groups text models uses `parse_text_model_name` or `text_model_group`: the write
path that fills `text_model_group`, `include_group`, the group routes and the name utilities.

The parser follows the service HMR replaces (horde-model-reference 8.6.2, `parse_text_model_name`
and `get_base_model_name`) step by step, each step removing at most one match from the name:

1. a leading dotted version (`4.2.0-Broken-Tutu` -> extra LEADING_VERSION);
2. the size (`12b` -> `12B`, `1b7` -> `1B7`, `8x7b` -> `8X7B`);
3. a `v` version (`v0.1`, `V3`), a dotted one first;
4. the quantisation (`Q4_K_M`, `Q4_0`, `Q8`, GGUF, GPTQ, ..., `fp16`), upper-cased;
5. one variant word (Instruct, Chat, ..., Thinking, ..., preview);
6. a date (`08-2024`, `2024-08`, `2407`) -> extra DATE;
7. separators left doubled are collapsed, the ends trimmed.

Where upstream is plainly wrong, HMR deliberately differs (tests/textmodels/test_text_names.py
lists each real name concerned):

- a size never starts inside a number or a word, so `8x22B` is the MoE size `8X22B` (upstream:
  `2B`) and the author `Sao10K` holds no size (upstream: `0K`);
- quantisation and variant words are delimited by any non-alphanumeric character, `_` included
  (upstream's `\\b` misses `_fp16_`, `_FP16`, `instruct_`), and `Q3.5` (Qwen 3.5) is no quant;
- a run of mixed separators left by a removal collapses to its first one (`_-` -> `_`);
- a DATE extra's `position` counts the separators before the date in the name as given
  (upstream counts them at an offset in the already shortened name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

BACKENDS = ("aphrodite", "koboldcpp")
LEADING_VERSION = "LEADING_VERSION"
DATE = "DATE"
SEPARATORS = "-_ ."


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


def strip_author(name: str) -> str:
    """What follows the first "/" (the author's name is before it), or the name itself."""
    return name.split("/", 1)[1] if "/" in name else name


def group_parse_target(name: str) -> str:
    """The part of a name its group comes from: no backend prefix, no author."""
    return strip_author(strip_backend(name))


# --- patterns -----------------------------------------------------------------------------------

_EDGE = r"(?<![A-Za-z0-9])"  # a token starts after a non-alphanumeric character (or at the start)
_END = r"(?![A-Za-z0-9])"
_LEADING_VERSION = re.compile(r"^(\d+\.\d+(?:\.\d+)?)[_\-]")
_SIZES = (
    re.compile(rf"(?i){_EDGE}(\d+(?:\.\d+)?[BMK]\d*)(?![A-Za-z])"),
    re.compile(rf"(?i){_EDGE}(\d+x\d+[BMK])(?![A-Za-z])"),
)
_VERSIONS = (
    re.compile(rf"{_EDGE}([vV]\d+(?:\.\d+)+){_END}"),
    re.compile(rf"{_EDGE}([vV]\d+)(?![A-Za-z0-9.])"),
)
_QUANT_END = r"(?![A-Za-z0-9]|\.\d)"  # `Q3.5` is a model version, not a quant
_QUANTS = tuple(
    re.compile(rf"(?i){_EDGE}({token}){_QUANT_END}")
    for token in (
        r"Q[2-8]_K(?:_[SMLH])?",
        r"Q[2-8]_[01]",
        r"Q[2-8]",
        r"GGUF|GGML|GPTQ|AWQ|EXL2",
        r"fp16|fp32|int8|int4",
    )
)
_VARIANTS = tuple(
    re.compile(rf"(?i){_EDGE}({words}){_END}")
    for words in (
        "Instruct|Chat|Code|Base|Uncensored|Finetune|FT",
        "Thinking|Reasoning",
        "turbo|preview|latest",
    )
)
_DATES = tuple(
    re.compile(rf"{_EDGE}({digits}){_END}") for digits in (r"\d{2}-\d{4}", r"\d{4}-\d{2}", r"\d{4}")
)
_SEPARATOR_RUN = re.compile(r"([-_ .])[-_ .]+")
_SIZE_VALUE = re.compile(r"(?i)(?:(\d+(?:\.\d+)?)x)?(\d+(?:\.\d+)?)([KMBT])\d*")
_UNITS = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}


# --- the parser ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NamePart:
    """A segment that is none of the named parts: a date or a leading version."""

    value: str
    position: int  # separators before it in the name as given
    inferred_type: str  # DATE or LEADING_VERSION


@dataclass(frozen=True)
class ParsedName:
    original_name: str
    base_name: str
    size: str | None = None
    variant: str | None = None
    quant: str | None = None
    version: str | None = None
    extras: tuple[NamePart, ...] = field(default=())

    def parts(self) -> dict[str, str | None]:
        return {"size": self.size, "variant": self.variant, "version": self.version, "quant": self.quant}


class _Remainder:
    """The name with matches cut out, remembering where each remaining character was."""

    def __init__(self, name: str) -> None:
        self.text = name
        self.origin = list(range(len(name)))

    def take(self, patterns) -> tuple[str, int] | None:
        """Cut the leftmost match of the first pattern that matches; its value and original start."""
        for pattern in patterns:
            found = pattern.search(self.text)
            if found:
                start, end = found.span()
                where = self.origin[found.start(1)]
                self.text = self.text[:start] + self.text[end:]
                del self.origin[start:end]
                return found.group(1), where
        return None


def _separators_before(name: str, index: int) -> int:
    return sum(1 for c in name[:index] if c in SEPARATORS)


def parse_text_model_name(name: str) -> ParsedName:
    """The parts of a text model name, parsed as given (an author or backend prefix stays in the base)."""
    rest = _Remainder(name)
    extras = []
    if leading := rest.take((_LEADING_VERSION,)):
        extras.append(NamePart(leading[0], 0, LEADING_VERSION))
    size = rest.take(_SIZES)
    version = rest.take(_VERSIONS)
    quant = rest.take(_QUANTS)
    variant = rest.take(_VARIANTS)
    if date := rest.take(_DATES):
        extras.append(NamePart(date[0], _separators_before(name, date[1]), DATE))
    base = _SEPARATOR_RUN.sub(r"\1", rest.text).strip(SEPARATORS)
    return ParsedName(
        original_name=name,
        base_name=base or name,
        size=size[0].upper() if size else None,
        variant=variant[0] if variant else None,
        quant=quant[0].upper() if quant else None,
        version=version[0] if version else None,
        extras=tuple(extras),
    )


def text_model_group(name: str) -> str:
    """The base-model group of a text model (upstream's get_base_model_name): the base name of the
    name without its backend prefix and author. `anthracite-org/magnum-12b-v2` -> `magnum`."""
    return parse_text_model_name(group_parse_target(name)).base_name


def name_size(name: str) -> str | None:
    """The parameter size written in a model name (`12B`, `8X7B`), upper-cased, or None."""
    return parse_text_model_name(group_parse_target(name)).size


def name_quant(name: str) -> str | None:
    """The quantisation written in a model name (`Q4_0`), upper-cased, or None."""
    return parse_text_model_name(group_parse_target(name)).quant


def size_sort_key(size: str) -> tuple[int, float, str]:
    """Sizes by parameter count (experts x size x unit; `7B1` counts as 7B); unknown labels last."""
    found = _SIZE_VALUE.fullmatch(size.strip())
    if found is None:
        return (1, 0.0, size.strip().casefold())
    experts, number, unit = found.groups()
    return (0, float(experts or 1) * float(number) * _UNITS[unit.upper()], size.strip().casefold())


def quant_tokens_removed(name: str) -> str:
    """The name with every quantisation token taken out (separator counting ignores their `_`)."""
    for pattern in _QUANTS:
        name = pattern.sub("", name)
    return name

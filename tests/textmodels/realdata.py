"""The real text records as the tests derive expectations from them: straight from models.csv
(Python's csv module; a repeated name keeps its first place and its last row's values, as the
text repo's convert.py does), and each name's group as upstream gives it, with the corrections
of test_text_names.EXCEPTIONS. Nothing here uses HMR's parser or its CSV code."""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

from django.conf import settings

from tests.textmodels.test_text_names import EXCEPTED_KEYS, EXCEPTIONS, UPSTREAM

UNITS = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}


@cache
def rows() -> list[dict]:
    path = Path(settings.HMR_LEGACY_DATA_DIR) / "text" / "models.csv"
    with path.open(newline="") as f:
        by_name: dict[str, dict] = {}
        for row in csv.DictReader(f):
            by_name[row["name"]] = row
    return list(by_name.values())


def group_of(name: str) -> str:
    if name in EXCEPTED_KEYS:
        return EXCEPTIONS[EXCEPTED_KEYS[name]][0].get("base_name", UPSTREAM[name][2])
    return UPSTREAM[name][2]


def member_parts(name: str) -> dict:
    """Upstream's parse of the name without author, with the listed corrections and HMR's date
    positions (separators before the date in that name)."""
    base, size, variant, quant, version, extras = UPSTREAM[name][1]
    parts = {"base_name": base, "size": size, "variant": variant, "quant": quant, "version": version}
    if name in EXCEPTED_KEYS:
        parts.update(EXCEPTIONS[EXCEPTED_KEYS[name]][0])
    short = name.split("/", 1)[-1]
    parts["extras"] = [
        {
            "value": value,
            "position": sum(c in "-_ ." for c in short[: short.rindex(value)])
            if kind == "DATE"
            else position,
            "inferred_type": kind,
        }
        for value, position, kind in extras
    ]
    return parts


def group_rows(group: str) -> list[dict]:
    return [r for r in rows() if group_of(r["name"]) == group]


def groups() -> list[str]:
    return sorted({group_of(r["name"]) for r in rows()})


def parameter_count(size: str) -> float:
    experts, number, unit = re.fullmatch(r"(?:(\d+)X)?(\d+(?:\.\d+)?)([KMBT])\d*", size).groups()
    return float(experts or 1) * float(number) * UNITS[unit]


def record_fields(row: dict) -> dict:
    """A CSV row's fields as the v2 record holds them (empty strings kept, no default style)."""
    return {
        "parameters": int(float(row["parameters_bn"]) * 1_000_000_000),
        "baseline": row["baseline"],
        "nsfw": False,
        "description": row["description"],
        "url": row["url"],
        "style": row["style"],
        "tags": [t.strip() for t in row["tags"].split(",") if t.strip()],
        "display_name": row["display_name"],
        "instruct_format": row["instruct_format"] or None,
    }

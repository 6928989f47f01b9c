"""The text repo's `models.csv` rows <-> text records, and the `db.json` entries of a record.

`models.csv` is the text repo's source: one row per base model. `db.json` is generated from it
by the repo's `convert.py`: every base model plus its `aphrodite/` and `koboldcpp/` variants,
with tags, display names and defaults filled in. This module turns one row's cells into record
data and back, and builds a record's three db.json entries as convert.py does; the file as a
whole (header, line endings, kept rows, rendering) is `formats/text_file.py`.

A cell the writer would not write the same way is kept: the raw text of `parameters_bn`,
`tags`, `settings` and `display_name` is pinned while the value it came from is unchanged
(`" 12"` stays `" 12"`). The cells of columns HMR does not know are kept in the residue
(`cells`) and written back in their column.

Pure functions; no ORM, no I/O.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from apps.catalog.categories import Category
from apps.catalog.formats.text_names import model_name, text_model_group
from apps.catalog.formats.v2 import LEGACY_KEY, order_data

CSV_COLUMNS = (
    "name",
    "parameters_bn",
    "display_name",
    "url",
    "baseline",
    "description",
    "style",
    "tags",
    "instruct_format",
    "settings",
)
# The text repo's defaults.json and generation_params.json (the allowed `settings` keys).
DB_DEFAULTS = {
    "baseline": "",
    "parameters": None,
    "description": "",
    "version": "1",
    "style": "generalist",
    "nsfw": False,
}
GENERATION_PARAMS = (
    "n",
    "frmtadsnsp",
    "frmtrmblln",
    "frmtrmspch",
    "frmttriminc",
    "max_context_length",
    "max_length",
    "rep_pen",
    "rep_pen_range",
    "rep_pen_slope",
    "singleline",
    "temperature",
    "tfs",
    "top_a",
    "top_k",
    "top_p",
    "typical",
    "sampler_order",
    "use_default_badwordsids",
    "stop_sequence",
    "min_p",
    "smoothing_factor",
    "dynatemp_range",
    "dynatemp_exponent",
)
_CELL_BASIS = {
    "parameters_bn": ("parameters",),
    "tags": ("tags", "style", "parameters"),
    "settings": ("settings",),
    "display_name": ("display_name",),
}


class TextCsvError(ValueError):
    """A models.csv problem; the message names the line, the model and the column."""

    def __init__(self, line: int, name: str, field: str, message: str) -> None:
        where = f"line {line}" + (f", model {name!r}" if name else "")
        super().__init__(f"{where}, column {field!r}: {message}")
        self.line = line
        self.name = name
        self.field = field


@dataclass(frozen=True)
class CsvRow:
    line: int
    cells: dict[str, str]
    text: str = ""  # the row as written, line ending included


def parameters_from_cell(row: CsvRow) -> int:
    raw = row.cells["parameters_bn"]
    try:
        billions = float(raw)
    except ValueError:
        raise TextCsvError(
            row.line, row.cells["name"], "parameters_bn", f"{raw!r} is not a number of billions of parameters"
        ) from None
    if not billions > 0 or billions != billions or billions == float("inf"):
        raise TextCsvError(row.line, row.cells["name"], "parameters_bn", f"{raw!r} must be a positive number")
    return int(billions * 1_000_000_000)


def settings_from_cell(row: CsvRow) -> dict | None:
    raw = row.cells["settings"]
    if not raw:
        return None
    try:
        settings = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise TextCsvError(row.line, row.cells["name"], "settings", f"invalid JSON: {exc.msg}") from None
    if not isinstance(settings, dict):
        raise TextCsvError(row.line, row.cells["name"], "settings", "must be a JSON object")
    unknown = sorted(set(settings) - set(GENERATION_PARAMS))
    if unknown:
        raise TextCsvError(
            row.line, row.cells["name"], "settings", f"unknown generation parameters: {unknown}"
        )
    return settings


def split_tags(cell: str) -> list[str]:
    return [t.strip() for t in cell.split(",") if t.strip()]


def data_from_row(row: CsvRow) -> dict:
    """Record data for one CSV row (upstream's rules: empty strings kept, nsfw false).

    A column the file lacks reads as empty; the cells of columns HMR does not know are kept in
    the residue (`cells`) and written back in their column.
    """
    cells = {column: row.cells.get(column, "") for column in CSV_COLUMNS}
    name = cells["name"].strip()
    if not name:
        raise TextCsvError(row.line, "", "name", "the row has no model name")
    present = CsvRow(row.line, cells, row.text)
    data: dict[str, Any] = {
        "name": name,
        "description": cells["description"],
        "version": "",
        "config": {"download": []},
        "baseline": cells["baseline"],
        "parameters": parameters_from_cell(present),
        "nsfw": False,
        "style": cells["style"],
        "display_name": cells["display_name"],
        "url": cells["url"],
        "tags": split_tags(cells["tags"]),
        "instruct_format": cells["instruct_format"] or None,
        "settings": settings_from_cell(present),
        "text_model_group": text_model_group(name),
    }
    data = order_data(Category.TEXT_GENERATION, data)
    residue: dict[str, Any] = {}
    unknown = {column: text for column, text in row.cells.items() if column not in cells and text}
    if unknown:
        residue["cells"] = unknown
    derived = row_from_data(data)
    pinned = {
        column: [_basis(data, column), row.cells[column]]
        for column in _CELL_BASIS
        if column in row.cells and derived[column] != row.cells[column]
    }
    if pinned:
        residue["pinned"] = pinned
    if residue:
        data[LEGACY_KEY] = residue
    return data


def _basis(data: dict, column: str) -> Any:
    return [data.get(f) for f in _CELL_BASIS[column]]


# --- rendering ----------------------------------------------------------------------------------


def billions_text(parameters: int) -> str:
    """The shortest parameters_bn text that converts back to `parameters`."""
    text = repr(parameters / 1_000_000_000)
    text = text.removesuffix(".0")
    if int(float(text) * 1_000_000_000) != parameters:
        text = f"{parameters / 1_000_000_000:.9f}".rstrip("0").rstrip(".")
    return text


def size_tag(parameters: int) -> str:
    return f"{round(parameters / 1_000_000_000):.0f}B"


def row_from_data(data: dict) -> dict[str, str]:
    """The models.csv cells of a text record (pinned raw cells while their basis is unchanged),
    with the kept cells of columns HMR does not know."""
    parameters = data.get("parameters") or 0
    style = data.get("style") or ""
    # API writes add the style and size tags (as upstream's processor does); the CSV keeps neither.
    tags = [t for t in data.get("tags") or [] if t not in {style, size_tag(parameters)}]
    settings = data.get("settings")
    display_name = data.get("display_name") or ""
    if display_name == auto_display_name(data["name"]):
        display_name = ""  # convert.py derives it again; the CSV leaves it empty
    residue = data.get(LEGACY_KEY) or {}
    cells = {
        **(residue.get("cells") or {}),
        "name": data["name"],
        "parameters_bn": billions_text(parameters),
        "display_name": display_name,
        "url": data.get("url") or "",
        "baseline": data.get("baseline") or "",
        "description": data.get("description") or "",
        "style": style,
        "tags": ", ".join(tags),
        "instruct_format": data.get("instruct_format") or "",
        "settings": json.dumps(settings) if settings else "",
    }
    for column, (basis, raw) in (residue.get("pinned") or {}).items():
        if column in _CELL_BASIS and _basis(data, column) == basis:
            cells[column] = raw
    return cells


def auto_display_name(name: str) -> str:
    return re.sub(" +", " ", re.sub("[-_]", " ", model_name(name))).strip()


def db_entries(data: dict, columns: tuple[str, ...] = CSV_COLUMNS) -> list[tuple[str, dict]]:
    """The three db.json entries of a text record, as the text repo's convert.py builds them
    (every column of the file's row in the entry, in the file's column order)."""
    cells = row_from_data(data)
    name = cells["name"]
    short = model_name(name)
    billions = float(cells["parameters_bn"])
    row: dict[str, Any] = {k: cells.get(k, "") for k in columns if k not in ("name", "parameters_bn")}
    row["parameters"] = int(billions * 1_000_000_000)
    tags = set(split_tags(cells["tags"]))
    if cells["style"]:
        tags.add(cells["style"])
    tags.add(f"{round(billions):.0f}B")
    row["tags"] = sorted(tags)
    row["settings"] = json.loads(cells["settings"]) if cells["settings"] else {}
    if not row.get("display_name"):
        row["display_name"] = auto_display_name(name)
    row = {k: v for k, v in row.items() if v}
    ordered = {"model_name": short, **DB_DEFAULTS, **row}
    return [(key, {"name": key, **ordered}) for key in (name, f"aphrodite/{name}", f"koboldcpp/{short}")]

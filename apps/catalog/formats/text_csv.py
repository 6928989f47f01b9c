"""The text repo: `models.csv` <-> text records, and `db.json` generated from them.

`models.csv` is the text repo's source: one row per base model. `db.json` is generated from it
by the repo's `convert.py`: every base model plus its `aphrodite/` and `koboldcpp/` variants,
with tags, display names and defaults filled in. We read the CSV into record data, and render
both files back from records: `models.csv` byte-identical (the raw cell text of `parameters_bn`,
`tags` and `settings` is pinned while the value it came from is unchanged) and `db.json`
byte-identical to what convert.py makes.

A name repeated in the CSV (4 in the real file) is one record: the last row's values, at the
first row's position, which is what convert.py's dict assignment gives db.json. Exporting
models.csv therefore writes each such name once.

Pure functions; no ORM, no I/O.
"""

from __future__ import annotations

import csv
import io
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
class CsvProfile:
    line_terminator: str = "\r\n"

    def to_dict(self) -> dict:
        return {"line_terminator": self.line_terminator}

    @classmethod
    def from_dict(cls, data: dict | None) -> CsvProfile:
        return cls(**data) if data else cls()


@dataclass(frozen=True)
class CsvRow:
    line: int
    cells: dict[str, str]


# --- parsing ------------------------------------------------------------------------------------


def parse_models_csv(text: str) -> tuple[CsvProfile, list[CsvRow]]:
    """Rows of models.csv with their line numbers. Raises TextCsvError for a bad header or row."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise TextCsvError(1, "", "(header)", "the file is empty") from None
    if tuple(header) != CSV_COLUMNS:
        raise TextCsvError(1, "", "(header)", f"expected columns {','.join(CSV_COLUMNS)}")
    rows = []
    for cells in reader:
        line = reader.line_num
        if not cells:
            continue
        if len(cells) != len(CSV_COLUMNS):
            name = cells[0] if cells else ""
            raise TextCsvError(line, name, "(row)", f"expected {len(CSV_COLUMNS)} cells, found {len(cells)}")
        rows.append(CsvRow(line, dict(zip(CSV_COLUMNS, cells, strict=True))))
    terminator = "\r\n" if "\r\n" in text else "\n"
    return CsvProfile(terminator), rows


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
    """Record data for one CSV row (upstream's rules: empty strings kept, nsfw false)."""
    cells = row.cells
    name = cells["name"].strip()
    if not name:
        raise TextCsvError(row.line, "", "name", "the row has no model name")
    data: dict[str, Any] = {
        "name": name,
        "description": cells["description"],
        "version": "",
        "config": {"download": []},
        "baseline": cells["baseline"],
        "parameters": parameters_from_cell(row),
        "nsfw": False,
        "style": cells["style"],
        "display_name": cells["display_name"],
        "url": cells["url"],
        "tags": split_tags(cells["tags"]),
        "instruct_format": cells["instruct_format"] or None,
        "settings": settings_from_cell(row),
        "text_model_group": text_model_group(name),
    }
    data = order_data(Category.TEXT_GENERATION, data)
    derived = row_from_data(data)
    pinned = {
        column: [_basis(data, column), cells[column]]
        for column in _CELL_BASIS
        if derived[column] != cells[column]
    }
    if pinned:
        data[LEGACY_KEY] = {"pinned": pinned}
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
    """The models.csv cells of a text record (pinned raw cells while their basis is unchanged)."""
    parameters = data.get("parameters") or 0
    style = data.get("style") or ""
    # API writes add the style and size tags (as upstream's processor does); the CSV keeps neither.
    tags = [t for t in data.get("tags") or [] if t not in {style, size_tag(parameters)}]
    settings = data.get("settings")
    display_name = data.get("display_name") or ""
    if display_name == auto_display_name(data["name"]):
        display_name = ""  # convert.py derives it again; the CSV leaves it empty
    cells = {
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
    for column, (basis, raw) in ((data.get(LEGACY_KEY) or {}).get("pinned") or {}).items():
        if column in _CELL_BASIS and _basis(data, column) == basis:
            cells[column] = raw
    return cells


def auto_display_name(name: str) -> str:
    return re.sub(" +", " ", re.sub("[-_]", " ", model_name(name))).strip()


def render_models_csv(records: list[dict], profile: CsvProfile | None = None) -> str:
    profile = profile or CsvProfile()
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=profile.line_terminator)
    writer.writerow(CSV_COLUMNS)
    for data in records:
        cells = row_from_data(data)
        writer.writerow([cells[c] for c in CSV_COLUMNS])
    return buffer.getvalue()


def db_entries(data: dict) -> list[tuple[str, dict]]:
    """The three db.json entries of a text record, as the text repo's convert.py builds them."""
    cells = row_from_data(data)
    name = cells["name"]
    short = model_name(name)
    billions = float(cells["parameters_bn"])
    row: dict[str, Any] = {k: v for k, v in cells.items() if k not in ("name", "parameters_bn")}
    row["parameters"] = int(billions * 1_000_000_000)
    tags = set(split_tags(cells["tags"]))
    if cells["style"]:
        tags.add(cells["style"])
    tags.add(f"{round(billions):.0f}B")
    row["tags"] = sorted(tags)
    row["settings"] = json.loads(cells["settings"]) if cells["settings"] else {}
    if not row["display_name"]:
        row["display_name"] = auto_display_name(name)
    row = {k: v for k, v in row.items() if v}
    ordered = {"model_name": short, **DB_DEFAULTS, **row}
    return [(key, {"name": key, **ordered}) for key in (name, f"aphrodite/{name}", f"koboldcpp/{short}")]


def render_db_json(records: list[dict]) -> str:
    """db.json for text records in file order: indent 4, a final newline, as convert.py writes it."""
    document: dict[str, dict] = {}
    for data in records:
        for key, entry in db_entries(data):
            document[key] = entry
    return json.dumps(document, indent=4) + "\n"


def db_document(records: list[dict]) -> dict:
    """db.json as a dict (entries in file order)."""
    return {key: entry for data in records for key, entry in db_entries(data)}

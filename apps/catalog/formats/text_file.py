"""The text repo's files as a whole: `models.csv` <-> text records, and `db.json` generated from them.

`models.csv` is the text repo's source: one row per base model. `db.json` is generated from it
by the repo's `convert.py`: every base model plus its `aphrodite/` and `koboldcpp/` variants,
with tags, display names and defaults filled in. We read the CSV into record data, and render
both files back: `models.csv` byte for byte, `db.json` byte-identical to what convert.py makes.

The file is read by its header (the format since September 2024): columns may be added,
missing or in another order; unknown columns' cells are kept in the record's residue and
written back in their place. The headerless format older than that (`name,parameters`) is
refused with a message that says so.

What the writer would not write the same way is kept (a cell: see `formats/text_csv.py`):
- a row: the line as written (odd quoting, another line ending, no final newline) is the
  record's layout (`{"row": [as the writer writes it, as written]}`), used while the writer
  still writes the former;
- lines that are no record's own row, in the profile: blank lines, and the earlier rows of a
  repeated name. A name repeated in the CSV (3 in 2024-10, 4 today) is one record with the last
  row's values at the first row's position, which is what convert.py's dict assignment gives
  db.json; its earlier rows are kept verbatim (`firsts`, `rows`) and written back while the
  record exists, so models.csv comes back byte for byte and db.json is generated from exactly
  the rows convert.py would read.

Rows in the profile are anchored to the position of the record after whose first row they
came (`after`), so records added later go to the end and deleted ones take their rows along.

Pure functions; no ORM, no I/O.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from apps.catalog.formats.text_csv import (
    CSV_COLUMNS,
    CsvRow,
    TextCsvError,
    data_from_row,
    db_entries,
    row_from_data,
)
from apps.catalog.formats.text_names import text_model_group

HEADERLESS_MESSAGE = (
    "this is the headerless models.csv format (`name,parameters` rows: a raw parameter count in "
    "2023, billions until September 2024); HMR reads the header format that replaced it, whose "
    f"first line names the columns ({','.join(CSV_COLUMNS)})"
)


@dataclass(frozen=True)
class CsvProfile:
    """How models.csv was written: line ending, columns, and the lines that are no record's row."""

    line_terminator: str = "\r\n"
    columns: tuple[str, ...] = CSV_COLUMNS
    header: str | None = None  # the header line as written, when the writer writes it otherwise
    # [after, name, text]: a line after the first row of the record at position `after` (-1:
    # before the first record); `name` None: kept always (a blank line); `text` None: the
    # record's own row (a repeated name's last row); else kept while the record `name` exists.
    rows: tuple[tuple[int, str | None, str | None], ...] = ()
    firsts: dict[str, str] = field(default_factory=dict)  # a repeated name's first row, as written

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"line_terminator": self.line_terminator}
        if self.columns != CSV_COLUMNS:
            out["columns"] = list(self.columns)
        if self.header is not None:
            out["header"] = self.header
        if self.rows:
            out["rows"] = [list(row) for row in self.rows]
        if self.firsts:
            out["firsts"] = dict(self.firsts)
        return out

    @classmethod
    def from_dict(cls, data: dict | None) -> CsvProfile:
        if not data:
            return cls()
        return cls(
            data.get("line_terminator", "\r\n"),
            tuple(data.get("columns") or CSV_COLUMNS),
            data.get("header"),
            tuple((after, name, text) for after, name, text in data.get("rows") or ()),
            dict(data.get("firsts") or {}),
        )


@dataclass(frozen=True)
class CsvFile:
    """models.csv read: the profile, the rows in file order, and the lines that are no row."""

    profile: CsvProfile
    rows: list[CsvRow]
    blank_lines: list[tuple[int, str]]  # (index into rows of the row they follow, -1: none; text)


class RowSource(Protocol):
    """A stored text record as the renderers take it (formats/render.py StoredRecord)."""

    @property
    def data(self) -> dict: ...
    @property
    def layout(self) -> dict | None: ...
    @property
    def position(self) -> int | None: ...


@dataclass(frozen=True)
class TextRecord:
    data: dict
    layout: dict | None = None
    position: int | None = None


# --- parsing ------------------------------------------------------------------------------------

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def read_models_csv(text: str) -> CsvFile:
    """The rows of models.csv with their line numbers and text. Raises TextCsvError for a file
    that is not a header-format models.csv, broken quoting, or a row of the wrong length."""
    lines = _LINE.findall(text)
    consumed = 0

    def feed():
        nonlocal consumed
        for line in lines:
            consumed += 1
            yield line

    reader = csv.reader(feed(), strict=True)
    header_cells = _next_row(reader, lines, 1, ())
    if header_cells is None:
        raise TextCsvError(1, "", "(header)", "the file is empty")
    columns = _columns(header_cells)
    header_text = "".join(lines[:consumed])
    rows: list[CsvRow] = []
    blank_lines: list[tuple[int, str]] = []
    while True:
        start = consumed + 1
        cells = _next_row(reader, lines, start, columns)
        if cells is None:
            break
        row_text = "".join(lines[start - 1 : consumed])
        if not cells:
            blank_lines.append((len(rows) - 1, row_text))
            continue
        if len(cells) != len(columns):
            quote = _open_quote(lines[start - 1], columns) if consumed > start else None
            hint = (
                f": a quoted cell opened in column {quote!r} on line {start} runs to line {consumed}"
                if quote
                else ""
            )
            raise TextCsvError(
                start, cells[0], "(row)", f"expected {len(columns)} cells, found {len(cells)}{hint}"
            )
        rows.append(CsvRow(start, dict(zip(columns, cells, strict=True)), row_text))
    terminator = _terminator(header_text) or ("\r\n" if "\r\n" in text else "\n")
    profile = CsvProfile(terminator, columns)
    if _format_line(header_cells, terminator) != header_text:
        profile = replace(profile, header=header_text)
    return CsvFile(profile, rows, blank_lines)


def _next_row(
    reader: Iterator[list[str]], lines: list[str], start: int, columns: tuple[str, ...]
) -> list[str] | None:
    try:
        return next(reader)
    except StopIteration:
        return None
    except csv.Error as exc:
        column = _open_quote(lines[start - 1], columns) if start <= len(lines) else None
        if "unexpected end of data" in str(exc) and column is not None:
            raise TextCsvError(
                start, "", column, "broken quoting: the quoted cell opened on this line is never closed"
            ) from None
        raise TextCsvError(
            start, "", column or "(row)", f"broken quoting in the row that starts here ({exc})"
        ) from None


def _open_quote(line: str, columns: tuple[str, ...]) -> str | None:
    """The column of the cell whose opening quote is still open at the end of `line`."""
    cell, quoted, at_start, opened = 0, False, True, None
    index = 0
    while index < len(line):
        char = line[index]
        if quoted:
            if char == '"':
                if line[index + 1 : index + 2] == '"':
                    index += 1
                else:
                    quoted = False
        elif char == '"' and at_start:
            quoted, opened = True, cell
        elif char == ",":
            cell += 1
            at_start = True
            index += 1
            continue
        at_start = False
        index += 1
    if not quoted or opened is None:
        return None
    return columns[opened] if opened < len(columns) else f"cell {opened + 1}"


def _columns(header: list[str]) -> tuple[str, ...]:
    if header and header[0].startswith("\ufeff"):
        raise TextCsvError(
            1, "", "(header)", "the file starts with a byte order mark (BOM); save it as UTF-8 without one"
        )
    if "name" not in header:
        if len(header) >= 2 and _is_number(header[1]):
            raise TextCsvError(1, "", "(header)", HEADERLESS_MESSAGE)
        raise TextCsvError(
            1,
            "",
            "(header)",
            f"the first line is not a header: it has no 'name' column (expected {','.join(CSV_COLUMNS)})",
        )
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        raise TextCsvError(1, "", "(header)", f"the header names a column twice: {', '.join(repeated)}")
    if "parameters_bn" not in header:
        raise TextCsvError(1, "", "(header)", "the header has no 'parameters_bn' column")
    return tuple(header)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _terminator(line: str) -> str:
    for ending in ("\r\n", "\n", "\r"):
        if line.endswith(ending):
            return ending
    return ""


def parse_models_csv(text: str) -> tuple[CsvProfile, list[CsvRow]]:
    """Rows of models.csv with their line numbers (blank lines and the profile's rows aside)."""
    parsed = read_models_csv(text)
    return parsed.profile, parsed.rows


def _format_line(cells: list[str], terminator: str) -> str:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator=terminator).writerow(cells)
    return buffer.getvalue()


class _LineWriter:
    """csv.writer, one line at a time (the file's rows are joined by the caller)."""

    def __init__(self, terminator: str) -> None:
        self._buffer = io.StringIO(newline="")
        self._writer = csv.writer(self._buffer, lineterminator=terminator)

    def line(self, cells: list[str]) -> str:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerow(cells)
        return self._buffer.getvalue()


def record_line(
    data: dict, layout: dict | None, profile: CsvProfile, writer: _LineWriter | None = None
) -> str:
    """A record's own row: as written at import while the writer still writes what it wrote then."""
    cells = row_from_data(data)
    line = (writer or _LineWriter(profile.line_terminator)).line([cells.get(c, "") for c in profile.columns])
    kept = (layout or {}).get("row")
    return kept[1] if kept and kept[0] == line else line


def row_layout(data: dict, row: CsvRow, profile: CsvProfile) -> dict | None:
    """The layout a parsed row needs: its text, when the writer would write it otherwise."""
    line = record_line(data, None, profile)
    return None if line == row.text else {"row": [line, row.text]}


# A row of the file as the renderers walk it: (record data or None for a blank line, the text to
# write when it is kept as written, the record's layout).
FileRow = tuple[dict | None, str | None, dict | None]


# A row of the file in order, without its data read: ("record", the record), ("kept", a line the
# profile kept as written) or ("blank", a line that names no model).
RowItem = tuple[str, object]


def file_row_items(records: Sequence, profile: CsvProfile, name_of=lambda r: r.data["name"]) -> list[RowItem]:
    """Every row of models.csv in file order: the records' rows and the profile's kept lines.
    `name_of(record)` gives a record's name, `record.position` its place in the file."""
    by_name = {name_of(r): r for r in records}
    deferred = {name for _, name, text in profile.rows if text is None and name in by_name}
    pending = list(profile.rows)
    out: list[RowItem] = []
    taken = 0

    def emit(name: str | None, text: str | None) -> None:
        if text is None:
            if name in by_name:
                out.append(("record", by_name[name]))
        elif name is None:
            out.append(("blank", text))
        elif name in by_name:
            out.append(("kept", text))

    for index, record in enumerate(records):
        position = index if record.position is None else record.position
        while taken < len(pending) and pending[taken][0] < position:
            emit(pending[taken][1], pending[taken][2])
            taken += 1
        name = name_of(record)
        out.append(("kept", profile.firsts[name]) if name in deferred else ("record", record))
    for _, name, text in pending[taken:]:
        emit(name, text)
    return out


def file_rows(records: Sequence[RowSource], profile: CsvProfile) -> list[FileRow]:
    """Every row of models.csv in file order: the records' rows and the profile's kept lines."""
    out: list[FileRow] = []
    for kind, item in file_row_items(records, profile):
        if kind == "record":
            out.append((item.data, None, item.layout))
        elif kind == "kept":
            out.append((kept_row_data(item, profile.columns), item, None))
        else:
            out.append((None, item, None))
    return out


def kept_row_data(text: str, columns: tuple[str, ...]) -> dict | None:
    cells = next(csv.reader(_LINE.findall(text)), [])
    if not cells:
        return None
    return data_from_row(CsvRow(0, dict(zip(columns, cells, strict=False)), text))


def header_line(profile: CsvProfile) -> str:
    """The file's first line: as it was written, else the writer's."""
    if profile.header is not None:
        return profile.header
    return _LineWriter(profile.line_terminator).line(list(profile.columns))


def render_models_csv(records: Sequence[RowSource], profile: CsvProfile | None = None) -> str:
    """models.csv: the header and every row, as written where it was kept."""
    profile = profile or CsvProfile()
    writer = _LineWriter(profile.line_terminator)
    parts = [header_line(profile)]
    for data, text, layout in file_rows(records, profile):
        parts.append(text if text is not None else record_line(data, layout, profile, writer))
    return "".join(parts)


def db_document(
    records: Sequence[RowSource], profile: CsvProfile | None = None, *, include_group: bool = False
) -> dict:
    """db.json as a dict: convert.py's assignments over every row of models.csv in file order
    (a repeated name: its first row's place, its last row's values), optionally with each
    entry's `text_model_group`."""
    profile = profile or CsvProfile()
    document: dict[str, dict] = {}
    for data, _, _ in file_rows(records, profile):
        if data is None:
            continue
        for key, entry in db_entries(data, profile.columns):
            if include_group:
                entry["text_model_group"] = text_model_group(key)
            document[key] = entry
    return document


def render_db_json(records: Sequence[RowSource], profile: CsvProfile | None = None) -> str:
    """db.json as convert.py writes it: indent 4, ASCII escapes, a final newline."""
    return json.dumps(db_document(records, profile), indent=4) + "\n"

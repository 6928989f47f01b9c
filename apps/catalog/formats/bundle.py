"""A set of reference files (legacy repos or a v2 directory) -> records per category, or a clear error.

The readers in `sources.py` produce `{file name: text}`; these functions turn them into
`ParsedCategory` values for `services.catalog_import`. Every error names the file, the record key
and the field (or the line and column). Pure functions; no ORM, no I/O.

A legacy file is accepted when it is JSON (or a header-format models.csv) whose records have
names; whatever else it holds is kept. The check that it will export back unchanged is on bytes:
the parsed file is rendered as the export renders it and compared with the source text, so no
spelling, whitespace or row can change silently.

A legacy image category whose file the source lacks (no `miscellaneous.json` before mid-2024) is
not part of the import: it comes back `absent` and the import leaves it as it is. A committed
`db.json` that is not what `models.csv` generates is reported entry by entry (`differences`) and
regenerated; `strict=True` refuses the import instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

from apps.catalog.categories import (
    CATEGORIES,
    IGNORED_IMAGE_FILES,
    TEXT_DB_FILE,
    Category,
    Repo,
    category_by_legacy_file,
    legacy_categories,
)
from apps.catalog.formats import jsonfile, legacy, pieces, render, text_csv, text_file, v2

MAX_LISTED = 100  # differing db.json entries named one by one; the rest are counted


class ImportFormatError(ValueError):
    """Input that cannot be imported. Nothing is written when it is raised."""

    def __init__(self, file: str, message: str, *, key: str = "", field: str = "") -> None:
        where = file + (f", record {key!r}" if key else "") + (f", field {field!r}" if field else "")
        super().__init__(f"{where}: {message}")
        self.file = file
        self.key = key
        self.field = field

    def __reduce__(self):  # pickled whole: a parse in another process raises the same error here
        return (_error_again, (type(self), self.args, self.__dict__))


def _error_again(kind: type[ImportFormatError], args: tuple, state: dict) -> ImportFormatError:
    error = kind.__new__(kind)
    error.args = args
    error.__dict__.update(state)
    return error


@dataclass(frozen=True)
class ParsedRecord:
    name: str
    data: dict
    layout: dict | None = None
    meta: v2.RecordMeta = field(default_factory=v2.RecordMeta)


@dataclass
class ParsedCategory:
    category: Category
    file_name: str
    profile: dict | None
    records: list[ParsedRecord]
    warnings: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)  # db.json against models.csv; --strict refuses
    absent: bool = False  # the source has no file for this category: the import leaves it alone


# --- legacy -------------------------------------------------------------------------------------


def parse_legacy_image_file(file_name: str, text: str) -> ParsedCategory:
    info = category_by_legacy_file(file_name)
    if info is None:
        raise ImportFormatError(f"image/{file_name}", "not a known category file")
    where = f"image/{file_name}"
    try:
        document = jsonfile.parse_document(text)
    except jsonfile.JsonLayoutError as exc:
        raise ImportFormatError(where, str(exc)) from None
    warnings = []
    if document.container != "{" and not document.blank and not CATEGORIES[info.category].managed_elsewhere:
        kind = "an array" if document.container == "[" else "not an object"
        warnings.append(
            f"{where}: the top level is {kind}, not an object of records; the file is kept as it is "
            f"and {info.category.value} has no records"
        )
    records = []
    names: dict[str, str] = {}
    for member in document.members:
        try:
            data = legacy.data_from_legacy(info.category, member.key, member.value)
        except legacy.LegacyFormatError as exc:
            raise ImportFormatError(where, str(exc).split(": ", 1)[1], key=exc.key, field=exc.field) from None
        if data["name"] in names:
            raise ImportFormatError(
                where,
                f"name {data['name']!r} is also used by record {names[data['name']]!r}",
                key=member.key,
                field="name",
            )
        names[data["name"]] = member.key
        layout = member.layout.to_dict() if member.layout else None
        records.append(ParsedRecord(data["name"], data, layout))
    parsed = ParsedCategory(info.category, file_name, document.profile.to_dict(), records, warnings)
    _check_exports_back(where, parsed, text)
    return parsed


def parse_models_csv(text: str, *, file_name: str = "text/models.csv") -> ParsedCategory:
    """Text records from models.csv, in the order of their first rows.

    A repeated name is one record with its last row's values (convert.py's dict assignment); its
    earlier rows are kept verbatim in the profile, so the file exports back byte for byte.
    """
    try:
        csv_file = text_file.read_models_csv(text)
        parsed_rows = [(row, text_csv.data_from_row(row)) for row in csv_file.rows]
    except text_csv.TextCsvError as exc:
        error = ImportFormatError(file_name, str(exc))
        error.key, error.field = exc.name, exc.field
        raise error from None
    profile = csv_file.profile
    last: dict[str, int] = {}
    first_line: dict[str, int] = {}
    for index, (row, data) in enumerate(parsed_rows):
        last[data["name"]] = index
        first_line.setdefault(data["name"], row.line)
    positions = {name: position for position, name in enumerate(first_line)}
    blanks: dict[int, list[str]] = {}
    for after, line_text in csv_file.blank_lines:
        blanks.setdefault(after, []).append(line_text)
    kept: list[tuple[int, str | None, str | None]] = [(-1, None, t) for t in blanks.get(-1, [])]
    firsts: dict[str, str] = {}
    warnings = []
    anchor = -1
    for index, (row, data) in enumerate(parsed_rows):
        name = data["name"]
        if row.line == first_line[name]:
            anchor = positions[name]
            if last[name] != index:
                firsts[name] = row.text
        else:
            warnings.append(
                f"{file_name} line {row.line}: {name!r} repeats the row on line {first_line[name]}; "
                "the later row's values win (every row is kept in models.csv)"
            )
            kept.append((anchor, name, None if last[name] == index else row.text))
        kept.extend((anchor, None, t) for t in blanks.get(index, []))
    profile = replace(profile, rows=tuple(kept), firsts=firsts)
    own_rows = [parsed_rows[last[name]] for name in positions]
    records = [ParsedRecord(data["name"], data) for _, data in own_rows]
    parsed = ParsedCategory(Category.TEXT_GENERATION, "models.csv", profile.to_dict(), records, warnings)
    if render.legacy_file(_stored(parsed)) != text:  # some row is not written as the writer writes it
        parsed.records = [
            ParsedRecord(data["name"], data, text_file.row_layout(data, row, profile))
            for row, data in own_rows
        ]
        _check_exports_back(file_name, parsed, text)
    return parsed


def _stored(parsed: ParsedCategory) -> render.CategoryRecords:
    records = [
        render.StoredRecord(r.name, r.data, r.layout, position=position)
        for position, r in enumerate(parsed.records)
    ]
    return render.CategoryRecords(parsed.category, records, parsed.profile)


def _check_exports_back(where: str, parsed: ParsedCategory, text: str) -> None:
    """Refuse what the export would not give back byte for byte (a gap in HMR's readers)."""
    exported = render.legacy_file(_stored(parsed))
    if exported == text:
        return
    offset = next((i for i, (a, b) in enumerate(zip(exported, text, strict=False)) if a != b), None)
    if offset is None:
        offset = min(len(exported), len(text))
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    raise ImportFormatError(
        where,
        f"HMR cannot keep this file byte for byte (its export would differ from line {line} "
        f"column {column}); nothing was imported",
    )


def parse_legacy_files(
    image_files: dict[str, str], text_files: dict[str, str], *, strict: bool = False
) -> list[ParsedCategory]:
    """All categories found in the two legacy repos' files (either may be empty).

    When image files are given, every image category whose file is not among them comes back
    `absent`. `strict` refuses a db.json that is not what models.csv generates.
    """
    return in_category_order(
        [*parse_legacy_image_files(image_files), *parse_legacy_text_files(text_files, strict=strict)]
    )


def parse_legacy_image_files(image_files: dict[str, str]) -> list[ParsedCategory]:
    """The image repo's categories (`parse_legacy_files`); none when no image file is given."""
    parsed = [
        parse_legacy_image_file(file_name, text)
        for file_name, text in image_files.items()
        if file_name not in IGNORED_IMAGE_FILES
    ]
    if image_files:
        parsed.extend(
            ParsedCategory(info.category, info.legacy_file, None, [], absent=True)
            for info in legacy_categories(Repo.IMAGE)
            if info.legacy_file not in image_files
        )
    return parsed


def parse_legacy_text_files(text_files: dict[str, str], *, strict: bool = False) -> list[ParsedCategory]:
    """The text repo's category (`parse_legacy_files`); none when no text file is given."""
    if not text_files:
        return []
    if "models.csv" not in text_files:
        raise ImportFormatError("text/", "models.csv is missing")
    text = parse_models_csv(text_files["models.csv"])
    text.differences = db_json_differences(text, text_files.get(TEXT_DB_FILE))
    if strict and text.differences:
        raise ImportFormatError(f"text/{TEXT_DB_FILE}", "\n".join(text.differences))
    return [text]


def in_category_order(parsed: list[ParsedCategory]) -> list[ParsedCategory]:
    return sorted(parsed, key=lambda p: list(Category).index(p.category))


def db_json_differences(text: ParsedCategory, db_json: str | None) -> list[str]:
    """How the committed db.json differs from the one models.csv generates, entry by entry:
    a summary line, then one line per differing entry (missing, extra, different bytes)."""
    if db_json is None:
        return []
    generated_text = pieces.text_db_file(_stored(text))
    if generated_text == db_json:
        return []
    where = f"text/{TEXT_DB_FILE}"
    tail = "; HMR serves and exports the db.json that models.csv generates"
    try:
        source = json.loads(db_json)
    except json.JSONDecodeError as exc:
        return [f"{where} is not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg}){tail}"]
    if not isinstance(source, dict):
        return [f"{where} is not an object of entries{tail}"]
    generated = json.loads(generated_text)
    lines = [f"{key}: missing from {where} (models.csv has it)" for key in generated if key not in source]
    lines += [
        f"{key}: in {where} but not generated from models.csv" for key in source if key not in generated
    ]
    for key, entry in generated.items():
        if key in source and json.dumps(source[key]) != json.dumps(entry):
            fields = [
                f
                for f in dict.fromkeys([*entry, *_keys(source[key])])
                if _field(source[key], f) != entry.get(f, _NONE)
            ]
            lines.append(f"{key}: different bytes ({', '.join(fields) if fields else 'key order'})")
    if not lines:
        common = [k for k in source if k in generated]
        if common != [k for k in generated if k in source]:
            lines.append(f"{where}: the entries are in another order")
        else:
            lines.append(
                f"{where}: the same entries, formatted otherwise (indentation, escapes or line endings)"
            )
    entries = sum(1 for line in lines if not line.startswith(where))
    counts = [
        f"{sum(1 for line in lines if kind in line)} {label}"
        for kind, label in (
            (": missing from", "missing"),
            (": in text/", "extra"),
            (": different bytes", "different"),
        )
    ]
    summary = f"{where} differs from what models.csv generates"
    if entries:
        summary += f" in {entries} entries ({', '.join(c for c in counts if not c.startswith('0 '))})"
    shown = lines[:MAX_LISTED] + (
        [f"... and {len(lines) - MAX_LISTED} more"] if len(lines) > MAX_LISTED else []
    )
    return [summary + tail, *shown]


_NONE = object()


def _keys(value: object) -> list:
    return list(value) if isinstance(value, dict) else []


def _field(entry: object, name: str) -> object:
    return entry.get(name, _NONE) if isinstance(entry, dict) else _NONE


# --- v2 -----------------------------------------------------------------------------------------


def v2_file_category(file_name: str) -> Category | None:
    for info in CATEGORIES.values():
        if info.v2_file == file_name:
            return info.category
    return None


def parse_v2_file(file_name: str, text: str) -> ParsedCategory:
    category = v2_file_category(file_name)
    if category is None:
        raise ImportFormatError(file_name, "not a known v2 category file")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(
            file_name, f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    if isinstance(document, list) and not document:
        document = {}
    if not isinstance(document, dict):
        raise ImportFormatError(file_name, "the top level must be an object of records")
    records = []
    seen: set[str] = set()
    for key, payload in document.items():
        try:
            data = v2.validate_record(category, payload, loc=())
        except v2.V2ValidationError as exc:
            first = exc.errors[0]
            raise ImportFormatError(
                file_name, first["msg"], key=key, field=".".join(map(str, first["loc"])) or "(record)"
            ) from None
        if data["name"] in seen:
            raise ImportFormatError(file_name, f"name {data['name']!r} appears twice", key=key, field="name")
        seen.add(data["name"])
        records.append(ParsedRecord(data["name"], data, None, v2.meta_from_payload(payload)))
    return ParsedCategory(category, file_name, None, records)


def parse_v2_files(files: dict[str, str]) -> list[ParsedCategory]:
    parsed = [parse_v2_file(name, text) for name, text in files.items()]
    return sorted(parsed, key=lambda p: list(Category).index(p.category))

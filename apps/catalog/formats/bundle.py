"""A set of reference files (legacy repos or a v2 directory) -> records per category, or a clear error.

The readers in `sources.py` produce `{file name: text}`; these functions turn them into
`ParsedCategory` values for `services.catalog_import`. Every error names the file, the record key
and the field. Pure functions; no ORM, no I/O.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from apps.catalog.categories import (
    CATEGORIES,
    IGNORED_IMAGE_FILES,
    TEXT_DB_FILE,
    Category,
    category_by_legacy_file,
)
from apps.catalog.formats import jsonfile, legacy, text_csv, v2


class ImportFormatError(ValueError):
    """Input that cannot be imported. Nothing is written when it is raised."""

    def __init__(self, file: str, message: str, *, key: str = "", field: str = "") -> None:
        where = file + (f", record {key!r}" if key else "") + (f", field {field!r}" if field else "")
        super().__init__(f"{where}: {message}")
        self.file = file
        self.key = key
        self.field = field


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
        if json.dumps(legacy.legacy_from_data(info.category, data)) != json.dumps(member.value):
            # A converter gap: refuse rather than export something other than what was imported.
            raise ImportFormatError(where, "the record would not export back unchanged", key=member.key)
        layout = member.layout.to_dict() if member.layout else None
        records.append(ParsedRecord(data["name"], data, layout))
    return ParsedCategory(info.category, file_name, document.profile.to_dict(), records)


def parse_models_csv(text: str, *, file_name: str = "text/models.csv") -> ParsedCategory:
    """Text records from models.csv; a repeated name keeps its first position and its last values."""
    try:
        profile, rows = text_csv.parse_models_csv(text)
        by_name: dict[str, ParsedRecord] = {}
        warnings = []
        for row in rows:
            data = text_csv.data_from_row(row)
            if data["name"] in by_name:
                warnings.append(
                    f"{file_name} line {row.line}: {data['name']!r} repeats an earlier row; "
                    "the later row's values win"
                )
            by_name[data["name"]] = ParsedRecord(data["name"], data)
    except text_csv.TextCsvError as exc:
        raise ImportFormatError(file_name, str(exc), key=exc.name, field=exc.field) from None
    return ParsedCategory(
        Category.TEXT_GENERATION, "models.csv", profile.to_dict(), list(by_name.values()), warnings
    )


def parse_legacy_files(image_files: dict[str, str], text_files: dict[str, str]) -> list[ParsedCategory]:
    """All categories found in the two legacy repos' files (either may be empty)."""
    parsed = [
        parse_legacy_image_file(file_name, text)
        for file_name, text in image_files.items()
        if file_name not in IGNORED_IMAGE_FILES
    ]
    if text_files:
        if "models.csv" not in text_files:
            raise ImportFormatError("text/", "models.csv is missing")
        text = parse_models_csv(text_files["models.csv"])
        text.warnings.extend(_check_generated_db(text, text_files.get(TEXT_DB_FILE)))
        parsed.append(text)
    return sorted(parsed, key=lambda p: list(Category).index(p.category))


def _check_generated_db(text: ParsedCategory, db_json: str | None) -> list[str]:
    if db_json is None:
        return []
    if text_csv.render_db_json([r.data for r in text.records]) == db_json:
        return []
    return ["text/db.json differs from what models.csv generates; db.json is regenerated from models.csv"]


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

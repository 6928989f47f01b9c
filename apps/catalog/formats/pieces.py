"""Category documents as `head + sep.join(pieces) + tail`, one piece per record: pure functions.

A write changes one record, so it should cost one record's rendering, not the category's. Every
document and export file whose bytes are a sequence of per-record members is described here as
an `Assembly`: the text before the members, between them and after them, and one function that
renders a record's member. catalog/assembly.py keeps the pieces of each record version and joins
them; the result is byte-identical to the full renders of formats/render.py (tests compare both
on the real data and on it copied ten times).

Formats assembled from pieces:
- `render.V2` (compact `{name: record}`) and the v2 export file (indent 4);
- image categories' legacy file (`jsonfile.render_document`: each member with its own layout);
- text_generation's `db.json` (v1) and `models.csv`: the file's rows come from `file_row_items`
  (records and the lines the profile kept, in file order); db.json keeps a dictionary's rule for
  a repeated key (its first place, its last value), so its pieces are keyed by entry.

`render.V1_GROUPED` (db.json with group fields) depends on every name of a group, so it is still
rendered whole (formats/text_groups.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from apps.catalog.categories import CATEGORIES, TEXT_DB_FILE, Category, Repo
from apps.catalog.formats import jsonfile, legacy, text_file, v2
from apps.catalog.formats.render import V1, V2, CategoryRecords, StoredRecord
from apps.catalog.formats.text_csv import db_entries

V2_FILE = "v2-file"  # the v2 export file (indent 4, a final newline)
LEGACY_FILE = "legacy-file"  # the category's legacy file (models.csv for text)
TEXT_DB = "text-db"  # text's db.json (the v1 text document is the same bytes)


@dataclass(frozen=True)
class Frame:
    """What surrounds the pieces: `head + sep.join(pieces) + tail`, or `empty` without any."""

    head: str
    sep: str
    tail: str
    empty: str

    def join(self, pieces: list[str]) -> str:
        return self.head + self.sep.join(pieces) + self.tail if pieces else self.empty


# --- pieces of one record -----------------------------------------------------------------------


def v2_piece(category: Category, record: StoredRecord) -> str:
    value = v2.render_record(category, record.data, record.meta)
    return json.dumps(record.name, ensure_ascii=False) + ":" + _compact(value)


def v2_file_piece(category: Category, record: StoredRecord) -> str:
    value = v2.render_record(category, record.data, record.meta)
    return _indented_member(record.name, value, ensure_ascii=False)


def legacy_piece(category: Category, record: StoredRecord, profile: jsonfile.JsonProfile) -> str:
    return jsonfile.render_member(
        legacy.legacy_key(record.data),
        legacy.legacy_from_data(category, record.data),
        profile,
        jsonfile.Layout.from_dict(record.layout),
    )


def db_pieces(data: dict | None, profile: text_file.CsvProfile) -> tuple[tuple[str, str], ...]:
    """A text row's db.json members: (entry key, its text at depth 1)."""
    if data is None:
        return ()
    # A row's three entries differ only by their first field, "name": the fields after it are
    # dumped once and their text reused while they compare equal (so the bytes stay exact).
    pieces = []
    shared, shared_text = None, ""
    for key, entry in db_entries(data, profile.columns):
        items = list(entry.items())
        if len(items) < 2 or items[0][0] != "name":
            pieces.append((key, _indented_member(key, entry, ensure_ascii=True)))
            continue
        others = dict(items[1:])
        if others != shared:
            shared, shared_text = others, json.dumps(others, indent=4).replace("\n", "\n    ")
        head = f'    {json.dumps(key)}: {{\n        "name": {json.dumps(items[0][1])},'
        pieces.append((key, head + shared_text[1:]))
    return tuple(pieces)


def text_db_file(snapshot: CategoryRecords) -> str:
    """text_generation's db.json joined from its pieces: `render.text_db_file`'s bytes, without
    one indented dump of the whole document (the import compares a source's db.json with it)."""
    profile = text_file.CsvProfile.from_dict(snapshot.profile)
    entries: dict[str, str] = {}  # a repeated key keeps its first place and its last text
    for kind, item in text_file.file_row_items(snapshot.records, profile):
        if kind == "record":
            data = item.data
        elif kind == "kept":
            data = kept_data(item, profile)
        else:
            continue
        entries.update(db_pieces(data, profile))
    return INDENTED.join(list(entries.values()))


def csv_piece(record: StoredRecord, profile: text_file.CsvProfile) -> str:
    return text_file.record_line(record.data, record.layout, profile)


def kept_data(text: str, profile: text_file.CsvProfile) -> dict | None:
    return text_file.kept_row_data(text, profile.columns)


# --- frames -------------------------------------------------------------------------------------

COMPACT = Frame("{", ",", "}", "{}")
INDENTED = Frame("{\n", ",\n", "\n}\n", "{}\n")  # json.dumps(indent=4) + "\n"


def legacy_frame(profile: jsonfile.JsonProfile) -> Frame:
    return Frame(profile.head + "{", ",", profile.closing + "}" + profile.tail, profile.empty + profile.tail)


def csv_frame(profile: text_file.CsvProfile) -> Frame:
    header = text_file.header_line(profile)
    return Frame(header, "", "", header)


def assembled_formats(category: Category) -> tuple[str, ...]:
    """The formats of `category` this module assembles (others are rendered whole)."""
    info = CATEGORIES[category]
    formats = [V2, V2_FILE]
    if info.legacy_file:
        formats.append(LEGACY_FILE)
    if category == Category.TEXT_GENERATION:
        formats += [TEXT_DB, V1]
    elif info.legacy_file and not info.managed_elsewhere:
        formats.append(V1)
    return tuple(formats)


def text_db_path() -> str:
    return f"{Repo.TEXT.value}/{TEXT_DB_FILE}"


def _compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _indented_member(key: str, value: object, *, ensure_ascii: bool) -> str:
    """`"key": value` as json.dumps(indent=4) writes a member of a top-level object."""
    body = json.dumps(value, indent=4, ensure_ascii=ensure_ascii).replace("\n", "\n    ")
    return f"    {json.dumps(key, ensure_ascii=ensure_ascii)}: {body}"

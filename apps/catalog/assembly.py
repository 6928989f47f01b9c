"""Documents and export files assembled from per-record pieces: a write costs what it changed.

`assemble(category, fmt)` returns a document's bytes and their gzip, byte-identical to a full
render (formats/render.py), for every format formats/pieces.py describes. It reads the category's
records *without their data* (id, version, name, place), renders only the records whose version
this process has not rendered yet, and joins the pieces it keeps. After one approved edit a
process renders one record, joins, and hashes: at 100 times today's catalog that is a fraction
of a second instead of the seconds a full render of text_generation takes (bench/scale.py).

The gzip is assembled the same way: the pieces are grouped in chunks of CHUNK_PIECES, each chunk
compressed once into a raw deflate stream ended by a sync flush (so streams of independent
compressors can follow each other), and the gzip member is those streams between a header and
a trailer (CRC-32 and length of the whole body). A change recompresses the chunk it falls in.

Everything kept is per process and per (category, format); a new profile of the category (a
re-import of its legacy file) drops what was rendered with the old one. One thread at a time
builds a (category, format); others wait for it.
"""

from __future__ import annotations

import struct
import threading
import zlib
from dataclasses import dataclass, field

from django.db import transaction

from apps.catalog import selectors
from apps.catalog.categories import Category
from apps.catalog.formats import jsonfile, pieces, text_file
from apps.catalog.formats.render import V1, V2

CHUNK_PIECES = 64
FETCH_BATCH = 2000  # records read and rendered at a time when pieces are missing
COMPRESS_LEVEL = 6
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # as gzip.compress(mtime=0) at level 6
_FINAL_BLOCK = b"\x03\x00"  # an empty final block (fixed Huffman)


@dataclass(frozen=True)
class Assembled:
    revision: int
    last_updated: int
    body: bytes
    gzipped: bytes
    empty: bool  # the category has no records
    rendered: int  # records rendered by this call (the others' pieces were kept)


@dataclass
class _Kept:
    profile: object = None
    pieces: dict = field(default_factory=dict)  # record key -> its piece (text db: its members)
    lines: dict = field(default_factory=dict)  # a kept line -> its db.json members (text db)
    chunks: dict = field(default_factory=dict)  # chunk identity -> (its pieces, their deflate stream)


_PROFILE_FREE = (V2, pieces.V2_FILE)  # formats the legacy file's profile does not shape
_kept: dict[tuple[str, str], _Kept] = {}
_locks: dict[tuple[str, str], threading.Lock] = {}


def forget() -> None:
    """Drop every kept piece (tests; documents_forget)."""
    _kept.clear()


def assemble(category: Category, fmt: str, *, compress: bool = True) -> Assembled:
    """The document's bytes and (when `compress`; else b"") their gzip."""
    with _locks.setdefault((category.value, fmt), threading.Lock()):  # one builder per kept set
        kept = _kept.setdefault((category.value, fmt), _Kept())
        revision, last_updated, stubs, fresh = _snapshot(category, fmt, kept)
        frame, parts = _parts(category, fmt, kept, stubs, fresh)
        body, gzipped = _join(frame, parts, kept, compress)
    return Assembled(revision, last_updated, body, gzipped, empty=not stubs, rendered=len(fresh))


def _snapshot(category: Category, fmt: str, kept: _Kept):
    """The records (without data) and the pieces of those this process has not rendered yet, from
    one consistent view: the revision is read before and after (every write bumps it), and the
    missing records are read and rendered a batch at a time (never the whole category's data)."""
    for _ in range(5):
        with transaction.atomic():
            revision, last_updated = selectors.category_revision(category)
            stubs = selectors.record_stubs(category)
            profile = None if fmt in _PROFILE_FREE else selectors.source_profile(category)
            if profile != kept.profile:  # nothing kept was rendered with this profile
                kept.profile, kept.pieces, kept.lines, kept.chunks = profile, {}, {}, {}
            render = _renderer(category, fmt, profile)
            missing = [s.id for s in stubs if s.key not in kept.pieces]
            fresh = {}
            for start in range(0, len(missing), FETCH_BATCH):
                batch = selectors.stored_records_by_id(missing[start : start + FETCH_BATCH])
                fresh.update((record_id, render(record)) for record_id, record in batch.items())
            still, _ = selectors.category_revision(category)
        if still == revision:
            break
    return revision, last_updated, stubs, fresh


def _renderer(category: Category, fmt: str, profile: dict | None):
    """record -> its piece in `fmt`, as UTF-8 (text db.json: its members, (key, bytes) each)."""
    if fmt == V2:
        return lambda r: pieces.v2_piece(category, r).encode()
    if fmt == pieces.V2_FILE:
        return lambda r: pieces.v2_file_piece(category, r).encode()
    if category != Category.TEXT_GENERATION:
        json_profile = jsonfile.JsonProfile.from_dict(profile)
        return lambda r: pieces.legacy_piece(category, r, json_profile).encode()
    csv_profile = text_file.CsvProfile.from_dict(profile)
    if fmt == pieces.LEGACY_FILE:
        return lambda r: pieces.csv_piece(r, csv_profile).encode()
    assert fmt in (V1, pieces.TEXT_DB), fmt
    return lambda r: _db_members(r.data, csv_profile)


def _db_members(data: dict | None, profile: text_file.CsvProfile) -> tuple[tuple[str, bytes], ...]:
    return tuple((key, text.encode()) for key, text in pieces.db_pieces(data, profile))


def _parts(category: Category, fmt: str, kept: _Kept, stubs, fresh: dict) -> tuple[pieces.Frame, list[bytes]]:
    """The frame and the document's pieces in order; only the current records' pieces stay kept."""
    old, kept.pieces = kept.pieces, {}
    for stub in stubs:
        kept.pieces[stub.key] = fresh[stub.id] if stub.id in fresh else old[stub.key]
    current = kept.pieces
    if fmt in (V2, pieces.V2_FILE):
        return (pieces.COMPACT if fmt == V2 else pieces.INDENTED), [current[s.key] for s in stubs]
    if category != Category.TEXT_GENERATION:
        return pieces.legacy_frame(jsonfile.JsonProfile.from_dict(kept.profile)), [
            current[s.key] for s in stubs
        ]
    profile = text_file.CsvProfile.from_dict(kept.profile)
    items = text_file.file_row_items(stubs, profile, name_of=lambda s: s.name)
    if fmt == pieces.LEGACY_FILE:
        return pieces.csv_frame(profile), [current[i.key] if k == "record" else i.encode() for k, i in items]
    old_lines, kept.lines = kept.lines, {}
    entries: dict[
        str, bytes
    ] = {}  # as a dictionary does: a repeated key keeps its first place, its last text
    for kind, item in items:
        if kind == "record":
            members = current[item.key]
        elif kind == "kept":
            members = old_lines.get(item) or _db_members(pieces.kept_data(item, profile), profile)
            kept.lines[item] = members
        else:
            continue
        for key, text in members:
            entries[key] = text
    return pieces.INDENTED, list(entries.values())


def _join(frame: pieces.Frame, parts: list[bytes], kept: _Kept, compress: bool) -> tuple[bytes, bytes]:
    """The body and its gzip from the parts, deflating only chunks not kept from an earlier call.

    A chunk is known by the identities of its pieces: they are kept pieces (the same objects from
    call to call while their records do not change) and the chunk holds them, so no other piece
    can take an identity while the chunk is kept."""
    sep = frame.sep.encode()
    if not parts:
        body = frame.empty.encode()
        return body, _gzip([_deflate(body)], body) if compress else b""
    head, tail = frame.head.encode(), frame.tail.encode()
    body = head + sep.join(parts) + tail
    if not compress:
        return body, b""
    old, kept.chunks = kept.chunks, {}
    deflated = [_deflate(head)]
    for start in range(0, len(parts), CHUNK_PIECES):
        group = tuple(parts[start : start + CHUNK_PIECES])
        identity = (start > 0, *map(id, group))
        chunk = old.get(identity)
        if chunk is None:
            chunk = (group, _deflate((sep if start else b"") + sep.join(group)))
        kept.chunks[identity] = chunk
        deflated.append(chunk[1])
    deflated.append(_deflate(tail))
    return body, _gzip(deflated, body)


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


def _gzip(deflated: list[bytes], body: bytes) -> bytes:
    trailer = struct.pack("<II", zlib.crc32(body) & 0xFFFFFFFF, len(body) & 0xFFFFFFFF)
    return b"".join([_GZIP_HEADER, *deflated, _FINAL_BLOCK, trailer])

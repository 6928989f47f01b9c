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
from apps.catalog.formats.render import V1, V2, StoredRecord

CHUNK_PIECES = 64
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
    chunks: dict = field(default_factory=dict)  # chunk identity -> (its texts, bytes, deflated bytes)


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
        revision, last_updated, stubs, profile, fetched = _snapshot(category, fmt, kept)
        if profile != kept.profile:  # nothing kept was rendered with this profile
            kept.profile, kept.pieces, kept.lines, kept.chunks = profile, {}, {}, {}
        frame, parts = _parts(category, fmt, kept, stubs, fetched)
        body, gzipped = _join(frame, parts, kept, compress)
    return Assembled(revision, last_updated, body, gzipped, empty=not stubs, rendered=len(fetched))


def _snapshot(category: Category, fmt: str, kept: _Kept):
    """One consistent view: the revision read before and after the stubs and missing records."""
    for _ in range(5):
        with transaction.atomic():
            revision, last_updated = selectors.category_revision(category)
            stubs = selectors.record_stubs(category)
            profile = None if fmt in _PROFILE_FREE else selectors.source_profile(category)
            same_profile = profile == kept.profile
            missing = [s.id for s in stubs if not same_profile or s.key not in kept.pieces]
            fetched = selectors.stored_records_by_id(missing)
            still, _ = selectors.category_revision(category)
        if still == revision:
            break
    return revision, last_updated, stubs, profile, fetched


def _parts(category: Category, fmt: str, kept: _Kept, stubs, fetched: dict[int, StoredRecord]):
    """The frame and the texts of the document's pieces, in order."""
    old, kept.pieces = kept.pieces, {}

    def piece(stub, render):
        text = old.get(stub.key)
        if text is None:
            text = render(fetched[stub.id])
        kept.pieces[stub.key] = text
        return text

    if fmt in (V2, pieces.V2_FILE):
        frame = pieces.COMPACT if fmt == V2 else pieces.INDENTED
        render = pieces.v2_piece if fmt == V2 else pieces.v2_file_piece
        return frame, [piece(s, lambda r: render(category, r)) for s in stubs]
    if category != Category.TEXT_GENERATION:
        profile = jsonfile.JsonProfile.from_dict(kept.profile)
        parts = [piece(s, lambda r: pieces.legacy_piece(category, r, profile)) for s in stubs]
        return pieces.legacy_frame(profile), parts
    profile = text_file.CsvProfile.from_dict(kept.profile)
    items = text_file.file_row_items(stubs, profile, name_of=lambda s: s.name)
    if fmt == pieces.LEGACY_FILE:
        render = lambda r: pieces.csv_piece(r, profile)  # noqa: E731
        parts = [piece(item, render) if kind == "record" else item for kind, item in items]
        return pieces.csv_frame(profile), parts
    assert fmt in (V1, pieces.TEXT_DB), fmt
    old_lines, kept.lines = kept.lines, {}
    entries: dict[str, str] = {}  # as a dictionary does: a repeated key keeps its first place, its last text
    for kind, item in items:
        if kind == "record":
            members = piece(item, lambda r: pieces.db_pieces(r.data, profile))
        elif kind == "kept":
            members = old_lines.get(item) or pieces.db_pieces(pieces.kept_data(item, profile), profile)
            kept.lines[item] = members
        else:
            continue
        for key, text in members:
            entries[key] = text
    return pieces.INDENTED, list(entries.values())


def _join(frame: pieces.Frame, parts: list[str], kept: _Kept, compress: bool) -> tuple[bytes, bytes]:
    """The body and its gzip from the parts, reusing every chunk kept from an earlier call.

    A chunk is known by the identities of its texts: the texts are kept pieces (the same objects
    from call to call while their records do not change) and the chunk holds them, so no other
    text can take an identity while the chunk is kept."""
    if not parts:
        body = frame.empty.encode()
        return body, _gzip([_deflate(body)], body) if compress else b""
    old, kept.chunks = kept.chunks, {}
    head, tail = frame.head.encode(), frame.tail.encode()
    raw, deflated = [head], [_deflate(head)]
    for start in range(0, len(parts), CHUNK_PIECES):
        group = tuple(parts[start : start + CHUNK_PIECES])
        identity = (start > 0, *map(id, group))
        chunk = old.get(identity)
        if chunk is None:
            data = ((frame.sep if start else "") + frame.sep.join(group)).encode()
            chunk = (group, data, None)
        if compress and chunk[2] is None:
            chunk = (group, chunk[1], _deflate(chunk[1]))
        kept.chunks[identity] = chunk
        raw.append(chunk[1])
        deflated.append(chunk[2])
    raw.append(tail)
    deflated.append(_deflate(tail))
    body = b"".join(raw)
    return body, _gzip(deflated, body) if compress else b""


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


def _gzip(deflated: list[bytes], body: bytes) -> bytes:
    trailer = struct.pack("<II", zlib.crc32(body) & 0xFFFFFFFF, len(body) & 0xFFFFFFFF)
    return b"".join([_GZIP_HEADER, *deflated, _FINAL_BLOCK, trailer])

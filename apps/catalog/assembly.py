"""Documents and export files assembled from per-record pieces: a write costs what it changed.

`assemble(category, fmt)` returns a document's bytes and their gzip, byte-identical to a full
render (formats/render.py), for every format formats/pieces.py describes. It renders only the
records whose version this process has not rendered yet, and joins the pieces it keeps. Which
records those are comes from the category's changes feed when it can: every written row carries
the revision that wrote it, so when no record was added, removed or moved since the revision the
kept pieces are of (the category's shape revision), one indexed query returns just the rows
written since. Otherwise (first build, a reshaping write) it reads every record *without its
data* (id, version, name, place). After one approved edit a process reads and renders one
record, joins, and hashes: at 100 times today's catalog that is a fraction of a second instead
of the seconds a full render of text_generation takes (bench/scale.py).

The gzip is assembled the same way: the pieces are grouped in chunks of CHUNK_PIECES, each chunk
compressed once into a raw deflate stream ended by a sync flush (so streams of independent
compressors can follow each other), and the gzip member is those streams between a header and
a trailer (CRC-32 and length of the whole body). A change recompresses the chunk it falls in.

Everything kept is per process and per (category, format); a new profile of the category (a
re-import of its legacy file) drops what was rendered with the old one. One thread at a time
builds a (category, format); others wait for it.
"""

from __future__ import annotations

import itertools
import logging
import struct
import threading
import zlib
from dataclasses import dataclass, field

from django.db import connection, transaction

from apps.catalog import selectors
from apps.catalog.categories import Category
from apps.catalog.formats import jsonfile, pieces, text_file
from apps.catalog.formats.render import V1, V2

logger = logging.getLogger(__name__)
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
    """What one process keeps of one (category, format) between calls."""

    profile: object = None
    pieces: dict = field(default_factory=dict)  # record id -> (version, its piece; text db: its members)
    lines: dict = field(default_factory=dict)  # a kept line -> its db.json members (text db)
    # The records' order and names the parts below were built from, as last read whole (their
    # versions as of that read: `pieces` says which version each kept piece is of).
    stubs: selectors.RecordStubs | None = None
    revision: int | None = None  # the category revision the kept pieces are of
    parts: list = field(default_factory=list)  # the document's parts in order
    slots: dict = field(default_factory=dict)  # record id -> [(entry key or None, index in parts)]
    frame: pieces.Frame | None = None
    chunks: list = field(default_factory=list)  # per CHUNK_PIECES parts: (those parts, deflated)


_PROFILE_FREE = (V2, pieces.V2_FILE)  # formats the legacy file's profile does not shape
_kept: dict[tuple[str, str], _Kept] = {}
_locks: dict[tuple[str, str], threading.Lock] = {}


def holds(category: Category, fmt: str) -> bool:
    """Whether this process keeps pieces of (category, fmt) (a change would cost what it changed)."""
    kept = _kept.get((category.value, fmt))
    return kept is not None and kept.stubs is not None


def warm_in_background(category: Category, fmt: str) -> threading.Thread:
    """Build the pieces from a thread of its own (a process that took the document from Redis
    would otherwise build them all at the next change, with readers waiting)."""

    def warm() -> None:
        try:
            assemble(category, fmt)
        except Exception as exc:  # the next change builds them in the request instead
            logger.warning(
                "could not keep the pieces of %s %s (%s)", category.value, fmt, exc.__class__.__name__
            )
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=warm, name="hmr-assembly-warm", daemon=True)
    thread.start()
    return thread


def forget() -> None:
    """Drop every kept piece (tests; documents_forget)."""
    _kept.clear()


def assemble(category: Category, fmt: str, *, compress: bool = True) -> Assembled:
    """The document's bytes and (when `compress`; else b"") their gzip.

    When the records are the ones of the last call in the same order (an update: the usual
    write), only the changed records' parts are replaced and only their chunks deflated again;
    otherwise (a record added, deleted, moved or renamed) the parts are rebuilt from the kept
    pieces and a chunk is deflated again only if one of its pieces changed."""
    with _locks.setdefault((category.value, fmt), threading.Lock()):  # one builder per kept set
        kept = _kept.setdefault((category.value, fmt), _Kept())
        revision, last_updated, stubs, fresh = _snapshot(category, fmt, kept)
        dirty = _patch(kept, stubs, fresh, text=category == Category.TEXT_GENERATION)
        if dirty is None:
            _rebuild(category, fmt, kept, stubs, fresh)
        for record_id, version, piece in fresh:
            kept.pieces[record_id] = (version, piece)
        kept.stubs, kept.revision = stubs, revision
        body, gzipped = _join(kept, dirty, compress)
    return Assembled(revision, last_updated, body, gzipped, empty=not stubs.ids, rendered=len(fresh))


def _snapshot(category: Category, fmt: str, kept: _Kept):
    """The records' stubs and the pieces of those this process has not rendered yet, from one
    consistent view: the revision is read before and after (every write bumps it), and the
    missing records are read and rendered a batch at a time (never the whole category's data)."""
    for _ in range(5):
        with transaction.atomic():
            state = selectors.category_state(category)
            profile = None if fmt in _PROFILE_FREE else selectors.source_profile(category)
            if profile != kept.profile:  # nothing kept was rendered with this profile
                kept.profile, kept.pieces, kept.lines, kept.stubs = profile, {}, {}, None
            render = _renderer(category, fmt, profile)
            stubs, written = kept.stubs, _written_since_kept(category, kept, state)
            if written is None:
                stubs = selectors.record_stubs(category)
                written = zip(stubs.ids, stubs.versions, strict=True)
            have = kept.pieces
            missing = [(i, v) for i, v in written if have.get(i, (None,))[0] != v]
            fresh = []
            for start in range(0, len(missing), FETCH_BATCH):
                batch = missing[start : start + FETCH_BATCH]
                records = selectors.stored_records_by_id([i for i, _ in batch])
                fresh += [(i, v, render(records[i])) for i, v in batch]
            still, _ = selectors.category_revision(category)
        if still == state.revision:
            break
    return state.revision, state.last_updated, stubs, fresh


def _written_since_kept(category: Category, kept: _Kept, state: selectors.CategoryState) -> list | None:
    """(id, version) of the rows written since the revision the kept pieces are of, when the
    records are still the kept ones in the kept order; else None (read every stub)."""
    if kept.stubs is None or kept.revision is None:
        return None
    if not state.shape_revision <= kept.revision <= state.revision:  # reshaped since, or a new database
        return None
    written = selectors.record_changes(category, kept.revision) if kept.revision < state.revision else []
    if any(i not in kept.pieces for i, _ in written):  # a row the kept stubs do not hold
        return None
    return written


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


def _patch(kept: _Kept, stubs: selectors.RecordStubs, fresh: list, *, text: bool) -> set[int] | None:
    """Replace the changed records' parts in place when nothing else moved; the chunks touched,
    or None when the parts must be rebuilt."""
    old = kept.stubs
    if (
        old is None
        or old.ids != stubs.ids
        or (text and (old.names != stubs.names or old.positions != stubs.positions))
    ):
        return None
    dirty: set[int] = set()
    for record_id, _, piece in fresh:
        slots = kept.slots[record_id]
        if slots and slots[0][0] is not None:  # db.json entries: the same keys, or rebuild
            if tuple(k for k, _ in piece) != tuple(k for k, _ in kept.pieces[record_id][1]):
                return None
            texts = dict(piece)
            replacements = [(index, texts[key]) for key, index in slots]
        else:
            replacements = [(index, piece) for _, index in slots]
        for index, part in replacements:
            kept.parts[index] = part
            dirty.add(index // CHUNK_PIECES)
    return dirty


def _rebuild(category: Category, fmt: str, kept: _Kept, stubs: selectors.RecordStubs, fresh: list) -> None:
    """The parts in order from the kept and fresh pieces; which parts each record owns."""
    new = {record_id: piece for record_id, _, piece in fresh}
    current = {i: new[i] if i in new else kept.pieces[i][1] for i in stubs.ids}
    kept.pieces = {i: kept.pieces[i] for i in stubs.ids if i in kept.pieces}  # deleted ones go
    if fmt in _PROFILE_FREE or category != Category.TEXT_GENERATION:  # one part per record
        if fmt in _PROFILE_FREE:
            kept.frame = pieces.COMPACT if fmt == V2 else pieces.INDENTED
        else:
            kept.frame = pieces.legacy_frame(jsonfile.JsonProfile.from_dict(kept.profile))
        kept.parts = [current[i] for i in stubs.ids]
        kept.slots = {i: [(None, index)] for index, i in enumerate(stubs.ids)}
        return
    profile = text_file.CsvProfile.from_dict(kept.profile)
    rows = [_Row(i, n, p) for i, n, p in zip(stubs.ids, stubs.names, stubs.positions, strict=True)]
    items = text_file.file_row_items(rows, profile, name_of=lambda row: row.name)
    kept.slots = {i: [] for i in stubs.ids}
    if fmt == pieces.LEGACY_FILE:
        kept.frame, kept.parts = pieces.csv_frame(profile), []
        for kind, item in items:
            if kind == "record":
                kept.slots[item.id].append((None, len(kept.parts)))
                kept.parts.append(current[item.id])
            else:
                kept.parts.append(item.encode())
        return
    old_lines, kept.lines = kept.lines, {}
    # As a dictionary does: a repeated key keeps its first place and its last text.
    entries: dict[str, tuple] = {}
    for kind, item in items:
        if kind == "record":
            members, owner = current[item.id], item.id
        elif kind == "kept":
            members = old_lines.get(item) or _db_members(pieces.kept_data(item, profile), profile)
            kept.lines[item], owner = members, None
        else:
            continue
        for key, part in members:
            entries[key] = (owner, part)
    kept.frame, kept.parts = pieces.INDENTED, []
    for key, (owner, part) in entries.items():
        if owner is not None:
            kept.slots[owner].append((key, len(kept.parts)))
        kept.parts.append(part)


@dataclass(frozen=True)
class _Row:
    id: int
    name: str
    position: int


def _join(kept: _Kept, dirty: set[int] | None, compress: bool) -> tuple[bytes, bytes]:
    """The body and its gzip. Only the chunks in `dirty` are deflated again; with `dirty` None
    (rebuilt parts), a chunk whose parts are the very objects of a kept chunk reuses it (kept
    pieces stay the same objects while their records do not change)."""
    frame, parts = kept.frame, kept.parts
    sep = frame.sep.encode()
    if not parts:
        body = frame.empty.encode()
        kept.chunks = []
        return body, _gzip([_deflate(body)], body) if compress else b""
    head, tail = frame.head.encode(), frame.tail.encode()
    body = _joined(head, sep, parts, tail)
    if not compress:
        kept.chunks = []  # deflated again when a compressed call comes
        return body, b""
    count = (len(parts) + CHUNK_PIECES - 1) // CHUNK_PIECES
    if dirty is None or len(kept.chunks) != count:
        reusable = {(c > 0, *map(id, group)): deflated for c, (group, deflated) in enumerate(kept.chunks)}
        dirty, chunks = set(), []
        for c in range(count):
            group = tuple(parts[c * CHUNK_PIECES : (c + 1) * CHUNK_PIECES])
            deflated = reusable.get((c > 0, *map(id, group)))
            chunks.append((group, deflated))
            if deflated is None:
                dirty.add(c)
        kept.chunks = chunks
    for c in dirty:
        group = tuple(parts[c * CHUNK_PIECES : (c + 1) * CHUNK_PIECES])
        kept.chunks[c] = (group, _deflate((sep if c else b"") + sep.join(group)))
    deflated = [_deflate(head), *(d for _, d in kept.chunks), _deflate(tail)]
    return body, _gzip(deflated, body)


def _joined(head: bytes, sep: bytes, parts: list[bytes], tail: bytes) -> bytes:
    """head + sep.join(parts) + tail in one allocation (at 100 times today's catalog each copy of
    the text document is over a hundred megabytes)."""
    if len(parts) == 1:
        return head + parts[0] + tail
    return sep.join(
        itertools.chain((head + parts[0],), itertools.islice(parts, 1, len(parts) - 1), (parts[-1] + tail,))
    )


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


def _gzip(deflated: list[bytes], body: bytes) -> bytes:
    trailer = struct.pack("<II", zlib.crc32(body) & 0xFFFFFFFF, len(body) & 0xFFFFFFFF)
    return b"".join([_GZIP_HEADER, *deflated, _FINAL_BLOCK, trailer])

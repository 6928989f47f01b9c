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
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import UUID

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


@dataclass(frozen=True)
class _Layout:
    """A joined body and where its parts lie in it, without a second copy of the parts: part i of
    chunk c (c = i // CHUNK_PIECES) starts at `chunk_at[c]` plus the lengths of the chunk's
    parts before it and a separator after each."""

    body: bytes
    sep: int  # the separator's length
    lengths: array  # each part's length
    chunk_at: list[int]  # where each chunk's first part starts

    def span(self, index: int) -> tuple[int, int]:
        """Where part `index` starts and ends in the body."""
        c, before = divmod(index, CHUNK_PIECES)
        start = self.chunk_at[c] + sum(self.lengths[index - before : index]) + before * self.sep
        return start, start + self.lengths[index]

    def part(self, index: int) -> memoryview:
        start, end = self.span(index)
        return memoryview(self.body)[start:end]

    def chunk(self, c: int) -> memoryview:
        """What chunk c's deflate stream compresses: its parts, after a separator unless first."""
        first, last = c * CHUNK_PIECES, min((c + 1) * CHUNK_PIECES, len(self.lengths))
        start = self.chunk_at[c]
        end = start + sum(self.lengths[first:last]) + (last - first - 1) * self.sep
        return memoryview(self.body)[start - (self.sep if c else 0) : end]


_EMPTY = _Layout(b"", 0, array("q"), [])


@dataclass
class _Kept:
    """What one process keeps of one (category, format) between calls: the last body and where
    each record's parts lie in it (at 100 times today's catalog, separate copies of the parts
    would double the hundred megabytes of the text document)."""

    profile: object = None
    versions: dict = field(default_factory=dict)  # record id -> the version its parts are of
    keys: dict = field(default_factory=dict)  # text db: record id -> its members' keys, in order
    # Text files: record id -> its piece, for a record whose parts do not give it back (a db.json
    # key another record took, a models.csv row not its own or repeated).
    aside: dict = field(default_factory=dict)
    lines: dict = field(default_factory=dict)  # a kept line -> its db.json members (text db)
    # The records' order and names the parts were built from, as last read whole (their versions
    # as of that read: `versions` says which version each record's parts are of).
    stubs: selectors.RecordStubs | None = None
    revision: int | None = None  # the category revision the kept parts are of
    epoch: UUID | None = None  # the metadata row's epoch that revision counts in
    # record id -> the index of its part; text files: [(db.json key or None for a csv row, index)]
    slots: dict = field(default_factory=dict)
    frame: pieces.Frame | None = None
    layout: _Layout = _EMPTY
    deflated: list = field(default_factory=list)  # each chunk's deflate stream ([]: not compressed)

    def reset(self, profile: object) -> None:
        """Nothing kept was rendered with `profile`: start again."""
        self.__init__(profile=profile)


_PROFILE_FREE = (V2, pieces.V2_FILE)  # formats the legacy file's profile does not shape
_kept: dict[tuple[str, str], _Kept] = {}
_locks: dict[tuple[str, str], threading.Lock] = {}
# One warm-up at a time: each holds a whole document's parts while it lays them out.
_warming = threading.Lock()


def holds(category: Category, fmt: str) -> bool:
    """Whether this process keeps pieces of (category, fmt) (a change would cost what it changed)."""
    kept = _kept.get((category.value, fmt))
    return kept is not None and kept.stubs is not None


def warm_in_background(
    category: Category, fmt: str, built: Callable[[Assembled], None] | None = None
) -> threading.Thread:
    """Build the pieces from a thread of its own (a process that took the document from Redis
    would otherwise build them all at the next change, with readers waiting); then hand what was
    built to `built` (outside the document's lock, so it may wait for a reader that is
    assembling). Warm-ups run one after another: a process that takes both text documents from
    Redis at once would otherwise hold the two copies and two sets of parts together."""

    def warm() -> None:
        try:
            with _warming:
                assembled = assemble(category, fmt)
                if built is not None:
                    built(assembled)  # before the next warm-up: it may let a copy go
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
    write), the changed records' parts are spliced into the kept body and only their chunks
    deflated again; otherwise (a record added, deleted, moved or renamed) the parts are laid out
    again from the fresh pieces and views of the kept body, and a chunk is deflated again only if
    its bytes changed."""
    with _locks.setdefault((category.value, fmt), threading.Lock()):  # one builder per kept set
        kept = _kept.setdefault((category.value, fmt), _Kept())
        state, stubs, fresh = _snapshot(category, fmt, kept)
        old = kept.layout
        replaced = _patch(kept, stubs, fresh, text=category == Category.TEXT_GENERATION)
        if replaced is None:
            parts = _rebuild(category, fmt, kept, stubs, fresh)  # sets the frame
            kept.layout, dirty = _laid_out(kept.frame, parts), None
            del parts  # views of the old body: it goes once the new one is laid out
        else:
            kept.layout, dirty = _spliced(old, replaced), {index // CHUNK_PIECES for index in replaced}
        for record_id, version, _ in fresh:
            kept.versions[record_id] = version
        kept.stubs, kept.revision, kept.epoch = stubs, state.revision, state.epoch
        gzipped = _compressed(kept, old, dirty) if compress else _uncompressed(kept)
        body = kept.layout.body
    return Assembled(
        state.revision, state.last_updated, body, gzipped, empty=not stubs.ids, rendered=len(fresh)
    )


def _snapshot(category: Category, fmt: str, kept: _Kept):
    """The records' stubs and the pieces of those this process has not rendered yet, from one
    consistent view: the revision is read before and after (every write bumps it), and the
    missing records are read and rendered a batch at a time (never the whole category's data)."""
    for _ in range(5):
        with transaction.atomic():
            state = selectors.category_state(category)
            profile = None if fmt in _PROFILE_FREE else selectors.source_profile(category)
            if profile != kept.profile:  # nothing kept was rendered with this profile
                kept.reset(profile)
            render = _renderer(category, fmt, profile)
            stubs, written = kept.stubs, _written_since_kept(category, kept, state)
            if written is None:
                stubs = selectors.record_stubs(category)
                written = zip(stubs.ids, stubs.versions, strict=True)
            have = kept.versions
            missing = [(i, v) for i, v in written if have.get(i) != v]
            fresh = []
            for start in range(0, len(missing), FETCH_BATCH):
                batch = missing[start : start + FETCH_BATCH]
                records = selectors.stored_records_by_id([i for i, _ in batch])
                fresh += [(i, v, render(records[i])) for i, v in batch]
            still, _ = selectors.category_revision(category)
        if still == state.revision:
            break
    return state, stubs, fresh


def _written_since_kept(category: Category, kept: _Kept, state: selectors.CategoryState) -> list | None:
    """(id, version) of the rows written since the revision the kept pieces are of, when the
    records are still the kept ones in the kept order; else None (read every stub)."""
    if kept.stubs is None or kept.revision is None or kept.epoch != state.epoch:
        return None  # nothing kept, or the catalog was emptied and written again since
    if not state.shape_revision <= kept.revision <= state.revision:  # reshaped since, or an older state back
        return None
    written = selectors.record_changes(category, kept.revision) if kept.revision < state.revision else []
    if any(i not in kept.versions for i, _ in written):  # a row the kept stubs do not hold
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


def _patch(kept: _Kept, stubs: selectors.RecordStubs, fresh: list, *, text: bool) -> dict[int, bytes] | None:
    """The parts that replace the changed records' parts in place when nothing else moved (by
    part index), or None when the parts must be laid out again."""
    old = kept.stubs
    if (
        old is None
        or old.ids != stubs.ids
        or (text and (old.names != stubs.names or old.positions != stubs.positions))
    ):
        return None
    replaced: dict[int, bytes] = {}
    for record_id, _, piece in fresh:
        slot = kept.slots[record_id]
        if isinstance(slot, int):
            replaced[slot] = piece
        elif record_id in kept.keys:  # db.json entries: the same keys, or lay out again
            if tuple(k for k, _ in piece) != kept.keys[record_id]:
                return None
            texts = dict(piece)
            replaced.update((index, texts[key]) for key, index in slot)
        else:  # models.csv rows
            replaced.update((index, piece) for _, index in slot)
    for record_id, _, piece in fresh:
        if record_id in kept.aside:
            kept.aside[record_id] = piece
    return replaced


def _kept_piece(kept: _Kept, record_id: int):
    """A record's piece as its kept parts give it back (views of the kept body)."""
    if record_id in kept.aside:
        return kept.aside[record_id]
    slot = kept.slots[record_id]
    if isinstance(slot, int):
        return kept.layout.part(slot)
    if record_id not in kept.keys:  # models.csv: its one row
        return kept.layout.part(slot[0][1])
    texts = {key: kept.layout.part(index) for key, index in slot}
    return tuple((key, texts[key]) for key in kept.keys[record_id])


def _rebuild(category: Category, fmt: str, kept: _Kept, stubs: selectors.RecordStubs, fresh: list) -> list:
    """The parts in order (fresh pieces, and views of the kept body for the others); which parts
    each record owns."""
    new = {record_id: piece for record_id, _, piece in fresh}
    current = {i: new[i] if i in new else _kept_piece(kept, i) for i in stubs.ids}
    kept.versions = {i: kept.versions[i] for i in stubs.ids if i in kept.versions}  # deleted ones go
    if fmt in _PROFILE_FREE or category != Category.TEXT_GENERATION:  # one part per record
        if fmt in _PROFILE_FREE:
            kept.frame = pieces.COMPACT if fmt == V2 else pieces.INDENTED
        else:
            kept.frame = pieces.legacy_frame(jsonfile.JsonProfile.from_dict(kept.profile))
        kept.slots = {i: index for index, i in enumerate(stubs.ids)}
        return [current[i] for i in stubs.ids]
    profile = text_file.CsvProfile.from_dict(kept.profile)
    rows = [_Row(i, n, p) for i, n, p in zip(stubs.ids, stubs.names, stubs.positions, strict=True)]
    items = text_file.file_row_items(rows, profile, name_of=lambda row: row.name)
    kept.slots = {i: [] for i in stubs.ids}
    parts = []
    if fmt == pieces.LEGACY_FILE:
        kept.frame = pieces.csv_frame(profile)
        for kind, item in items:
            if kind == "record":
                kept.slots[item.id].append((None, len(parts)))
                parts.append(current[item.id])
            else:
                parts.append(item.encode())
        kept.aside = {i: bytes(current[i]) for i in stubs.ids if len(kept.slots[i]) != 1}
        return parts
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
    kept.frame = pieces.INDENTED
    for key, (owner, part) in entries.items():
        if owner is not None:
            kept.slots[owner].append((key, len(parts)))
        parts.append(part)
    kept.keys = {i: tuple(k for k, _ in current[i]) if i in new else kept.keys[i] for i in stubs.ids}
    kept.aside = {
        i: tuple((k, bytes(text)) for k, text in current[i])
        for i in stubs.ids
        if len(kept.slots[i]) != len(current[i])
    }
    return parts


@dataclass(frozen=True)
class _Row:
    id: int
    name: str
    position: int


def _laid_out(frame: pieces.Frame, parts: list) -> _Layout:
    """The body joined from `parts` (bytes or views), and where each part lies in it."""
    if not parts:
        return _Layout(frame.empty.encode(), 0, array("q"), [])
    head, sep, tail = frame.head.encode(), frame.sep.encode(), frame.tail.encode()
    lengths = array("q", map(len, parts))
    chunk_at, at = [], len(head)
    for c in range(0, len(parts), CHUNK_PIECES):
        chunk_at.append(at)
        group = lengths[c : c + CHUNK_PIECES]
        at += sum(group) + len(sep) * len(group)
    return _Layout(_joined(head, sep, parts, tail), len(sep), lengths, chunk_at)


def _joined(head: bytes, sep: bytes, parts: list, tail: bytes) -> bytes:
    """head + sep.join(parts) + tail in one allocation (at 100 times today's catalog each copy of
    the text document is over a hundred megabytes)."""
    if len(parts) == 1:
        return b"".join((head, parts[0], tail))
    return sep.join(
        itertools.chain(
            (b"".join((head, parts[0])),),
            itertools.islice(parts, 1, len(parts) - 1),
            (b"".join((parts[-1], tail)),),
        )
    )


def _spliced(layout: _Layout, replaced: dict[int, bytes]) -> _Layout:
    """`layout` with the parts in `replaced` (by index) swapped in: one copy of the body, the
    offsets of the following chunks moved by the change in length."""
    if not replaced:
        return layout
    order = sorted(replaced)
    view, segments, at = memoryview(layout.body), [], 0
    for index in order:
        start, end = layout.span(index)
        segments += (view[at:start], replaced[index])
        at = end
    segments.append(view[at:])
    lengths, chunk_at, grown = array("q", layout.lengths), list(layout.chunk_at), {}
    for index in order:
        c = index // CHUNK_PIECES
        grown[c] = grown.get(c, 0) + len(replaced[index]) - lengths[index]
        lengths[index] = len(replaced[index])
    moved = 0
    for c in range(min(grown), len(chunk_at)):
        chunk_at[c] += moved
        moved += grown.get(c, 0)
    return _Layout(b"".join(segments), layout.sep, lengths, chunk_at)


def _compressed(kept: _Kept, old: _Layout, dirty: set[int] | None) -> bytes:
    """The gzip of the kept body. Only the chunks in `dirty` are deflated again; with `dirty` None
    (parts laid out again), a chunk whose bytes are those of the same chunk before reuses its
    stream."""
    layout = kept.layout
    if not layout.lengths:
        kept.deflated = []
        return _gzip([_deflate(layout.body)], layout.body)
    count = len(layout.chunk_at)
    if dirty is None or len(kept.deflated) != count:
        before = kept.deflated  # the streams of `old`'s chunks, or [] when the last call did not compress
        kept.deflated = [
            before[c] if c < len(before) and old.chunk(c) == layout.chunk(c) else None for c in range(count)
        ]
        dirty = {c for c, stream in enumerate(kept.deflated) if stream is None}
    for c in dirty:
        kept.deflated[c] = _deflate(layout.chunk(c))
    head, tail = _deflate(kept.frame.head.encode()), _deflate(kept.frame.tail.encode())
    return _gzip([head, *kept.deflated, tail], layout.body)


def _uncompressed(kept: _Kept) -> bytes:
    kept.deflated = []  # deflated again when a compressed call comes
    return b""


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


def _gzip(deflated: list[bytes], body: bytes) -> bytes:
    trailer = struct.pack("<II", zlib.crc32(body) & 0xFFFFFFFF, len(body) & 0xFFFFFFFF)
    return b"".join([_GZIP_HEADER, *deflated, _FINAL_BLOCK, trailer])

"""Category documents as stored bytes: rendered once per data change, served from memory or Redis.

`category_document(category, fmt)` is the read path of every category endpoint. A document is
immutable and named by the category's *revision* (bumped in the same transaction as any change
to the category). Per request we only look up the current revision: from this process's
revision watcher (revisions.py; no I/O) while its Redis subscription is live, else from a small
Redis key, else from the database. The bytes come from this process's memory when it already
holds that revision, else from Redis, else they are rendered from the database and stored.

Refreshing is a swap: a new revision names a new document; nothing is updated in place and no
lock is held across layers, so a slow render never blocks readers of another document and a cache
expiry cannot deadlock anything (the failure mode of the service we replace).

After a commit, `documents_invalidate` publishes the new revision. Readers only ever *add* the
revision key (never overwrite), so a reader that looked at the database before the commit cannot
put an old revision back. If publishing fails (Redis unreachable at that moment) the old key
expires within REVISION_TTL seconds.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import re
import threading
import time
from dataclasses import dataclass, replace
from email.utils import formatdate

from django.conf import settings
from django.core.cache import caches
from django.db import transaction

from apps.catalog import assembly, selectors
from apps.catalog.categories import Category
from apps.catalog.formats import pieces, render
from apps.catalog.formats.render import FORMATS
from apps.catalog.revisions import revisions_publish, watcher

logger = logging.getLogger(__name__)

REVISION_TTL = 10  # seconds; bounds staleness only when publishing a revision to Redis failed
DOCUMENT_TTL = 24 * 3600
REDIS_BACKOFF = 5.0  # seconds to stay off Redis after it failed
# A larger document goes to Redis from a thread of its own, and only when this process built it
# without kept pieces (its start): every process serving it keeps pieces and builds the next
# revision itself faster than a hundred megabytes cross to Redis and back.
LARGE_DOCUMENT_BYTES = 4 * 1024 * 1024
_BLANK = re.compile(rb"\s*(?:\{\}|\[\]|null)?\s*")


@dataclass(frozen=True)
class Document:
    body: bytes
    gzipped: bytes
    etag: str  # strong validator of `body`, quoted
    last_modified: int  # unix seconds
    last_modified_http: str  # the same, as an HTTP date
    revision: int
    empty: bool  # the category has no records (v1 answers 404 for it)
    blank: bool  # the body is empty, `{}`, `[]` or `null` (upstream's "not found or is empty")


_memo: dict[tuple[str, str], Document] = {}
_building: dict[tuple[str, str], threading.Lock] = {}
_redis_off_until = 0.0


def _cache():
    return caches["documents"]


def _cache_call(method: str, *args):
    """A documents-cache call that never raises: Redis trouble means "not cached" for a while."""
    global _redis_off_until
    if time.monotonic() < _redis_off_until:
        return None
    try:
        return getattr(_cache(), method)(*args)
    except Exception as exc:  # redis-py raises several types; any of them means "unavailable"
        _redis_off_until = time.monotonic() + REDIS_BACKOFF
        logger.warning("documents cache unavailable (%s); reading from the database", exc.__class__.__name__)
        return None


def _revision_key(category: str) -> str:
    return f"doc-rev:{category}"


DOCUMENT_LAYOUT = 1  # bump when Document changes shape, so old pickles in Redis are never read


def _document_key(category: str, fmt: str, revision: int) -> str:
    return f"doc:{DOCUMENT_LAYOUT}:{category}:{fmt}:{revision}"


def current_revision(category: Category) -> int:
    revision = watcher.known(category.value)
    if revision is not None:
        return revision
    revision = _cache_call("get", _revision_key(category.value))
    if revision is None:
        revision, _ = selectors.category_revision(category)
        _cache_call("add", _revision_key(category.value), revision, REVISION_TTL)
    return revision


def category_document(category: Category, fmt: str) -> Document:
    """The current document of `category` in `fmt` (formats/render.py: V1, V1_GROUPED or V2)."""
    revision = current_revision(category)
    memo = _memo.get((category.value, fmt))
    if memo is not None and memo.revision == revision:
        return memo
    # One thread of this process builds a new revision; the others wait for it and take it.
    with _building.setdefault((category.value, fmt), threading.Lock()):
        memo = _memo.get((category.value, fmt))
        if memo is not None and memo.revision >= revision:
            return memo
        document = _cache_call("get", _document_key(category.value, fmt, revision))
        if not isinstance(document, Document):
            from_pieces = fmt in pieces.assembled_formats(category) and assembly.holds(category, fmt)
            document = _render(category, fmt)
            if not (from_pieces and len(document.body) >= LARGE_DOCUMENT_BYTES):
                _store(category, fmt, document)
        elif _warm_pieces(category, fmt):
            assembly.warm_in_background(category, fmt, lambda built: _adopt(category, fmt, built))
        _memo[(category.value, fmt)] = document
    return document


def _warm_pieces(category: Category, fmt: str) -> bool:
    return (
        settings.HMR_DOCUMENT_PIECES_WARM
        and fmt in pieces.assembled_formats(category)
        and not assembly.holds(category, fmt)
    )


def _adopt(category: Category, fmt: str, built: assembly.Assembled) -> None:
    """Serve the body the warm-up built instead of the copy taken from Redis: the same bytes,
    then held once (the body a process keeps for its next change is the one it serves)."""
    key = (category.value, fmt)
    with _building.setdefault(key, threading.Lock()):
        memo = _memo.get(key)
        if memo is not None and memo.revision == built.revision and memo.body == built.body:
            _memo[key] = replace(memo, body=built.body, gzipped=built.gzipped)


def _store(category: Category, fmt: str, document: Document) -> None:
    """Put a built document in Redis for the other processes; a large one from a thread of its own,
    so the request that built it does not wait for a hundred megabytes to cross to Redis."""
    args = ("set", _document_key(category.value, fmt, document.revision), document, DOCUMENT_TTL)
    if len(document.body) < LARGE_DOCUMENT_BYTES:
        _cache_call(*args)
    else:
        threading.Thread(target=_cache_call, args=args, name="hmr-document-store", daemon=True).start()


def _render(category: Category, fmt: str) -> Document:
    """Assembled from the records' kept pieces where the format has pieces (catalog/assembly.py),
    else rendered whole; either way from one consistent snapshot (the revision is read before
    and after the records)."""
    if fmt in pieces.assembled_formats(category):
        built = assembly.assemble(category, fmt)
        return _document(built.body, built.gzipped, built.revision, built.last_updated, built.empty)
    for _ in range(5):
        with transaction.atomic():
            revision, last_updated = selectors.category_revision(category)
            snapshot = selectors.category_records(category)
            still, _ = selectors.category_revision(category)
        if still == revision:
            break
    body = render.document_body(snapshot, fmt)
    gzipped = gzip.compress(body, compresslevel=6, mtime=0)
    return _document(body, gzipped, revision, last_updated, not snapshot.records)


def _document(body: bytes, gzipped: bytes, revision: int, last_updated: int, empty: bool) -> Document:
    digest = hashlib.sha256(body).hexdigest()[:32]
    return Document(
        body=body,
        gzipped=gzipped,
        etag=f'"{digest}"',
        last_modified=last_updated,
        last_modified_http=formatdate(last_updated, usegmt=True),
        revision=revision,
        empty=empty,
        blank=_blank(body),
    )


def _blank(body: bytes) -> bool:
    """Empty, `{}`, `[]` or `null`, with any whitespace around; matched in place (`strip` copies,
    a hundred megabytes at the moment a new large document is built)."""
    return _BLANK.fullmatch(body) is not None


def documents_invalidate(categories: list[Category]) -> None:
    """Publish the committed revision of each category (run on commit)."""
    revisions = {c.value: selectors.category_revision(c)[0] for c in categories}
    for category, revision in revisions.items():
        _cache_call("set", _revision_key(category), revision, REVISION_TTL)
        for fmt in FORMATS:
            memo = _memo.get((category, fmt))
            if memo is not None and memo.revision != revision:
                del _memo[(category, fmt)]
    try:
        revisions_publish(revisions)
    except Exception as exc:  # the watchers resync when they reconnect; the key above expires
        logger.warning("could not announce new revisions (%s)", exc.__class__.__name__)


def documents_forget() -> None:
    """Drop this process's copies (tests; a process that must re-read everything)."""
    _memo.clear()
    assembly.forget()
    watcher.reset()
    global _redis_off_until
    _redis_off_until = 0.0

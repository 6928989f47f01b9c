"""Answers of the statistics endpoints as cached bytes, named by what they were computed from.

A body depends only on the category's revision (its records), the usage snapshot's version (the
AI-Horde figures), whether that snapshot is stale and the query: those name the cache entry, so
a change of any of them names a new entry and nothing is ever invalidated by hand. The bytes
are computed (selectors + serializers) once per name and served from the cache afterwards, with
an ETag (304 on If-None-Match) and gzip, like every public read. Each process also keeps the
answers it served last (a small LRU), so a hot answer does not even cross to Redis.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpResponse

from apps.analytics.selectors.usage import SnapshotState
from apps.api.conditional import bytes_response
from apps.core.http import GZIP_MIN_BYTES

TTL = 3600  # entries are named by their inputs; this only bounds how long unused ones stay
MEMO_SIZE = 32  # answers this process keeps itself (a deletion-risk body is ~0.6 MB with its gzip)
_memo: OrderedDict[str, tuple[bytes, bytes | None, str]] = OrderedDict()


def _encode(payload) -> tuple[bytes, bytes | None, str]:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    gzipped = gzip.compress(body, compresslevel=6, mtime=0) if len(body) >= GZIP_MIN_BYTES else None
    return body, gzipped, f'"{hashlib.sha256(body).hexdigest()[:32]}"'


def cached_response(
    request, key: tuple, build: Callable[[], object], snapshot: SnapshotState | None = None
) -> HttpResponse:
    """The answer named `key`, built by `build()` (a JSON-able payload) on a miss."""
    name = "statistics:" + hashlib.sha256(repr(key).encode()).hexdigest()
    stored = _memo.get(name)
    if stored is None:
        try:
            stored = cache.get(name)
        except Exception:  # a cache outage costs a recomputation, never an error
            stored = None
        if not isinstance(stored, tuple):
            stored = _encode(build())
            with contextlib.suppress(Exception):  # the next request computes it again
                cache.set(name, stored, TTL)
        _memo[name] = stored
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)
    else:
        _memo.move_to_end(name)
    body, gzipped, etag = stored
    response = bytes_response(request, body, etag=etag, gzipped=gzipped)
    if snapshot is not None:
        snapshot_headers(response, snapshot)
    return response


def snapshot_headers(response: HttpResponse, snapshot: SnapshotState) -> HttpResponse:
    response["X-Snapshot-As-Of"] = snapshot.as_of.strftime("%Y-%m-%dT%H:%M:%SZ")
    response["X-Snapshot-Stale"] = "true" if snapshot.stale else "false"
    return response


def responses_forget() -> None:
    """Drop this process's answers (tests: each starts with a new database and an empty cache)."""
    _memo.clear()

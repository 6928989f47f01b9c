"""The hot read path: public GET responses replayed from memory while their data is current.

Workers poll the same few URLs all day. A public read view marks its response with the bytes it
served and the category revisions they were computed from (`mark_hot`); `HotResponseStore` (the
outermost Django middleware, so every header is final) keeps them in this process, keyed by the
exact path and query. `HotReadApp` wraps the WSGI application and answers a later GET for that
URL before Django runs at all, but only while every revision the response depends on is still
the current one as the revision watcher knows it without I/O (catalog/revisions.py). When the
watcher is not live, when the client sends `Origin` (CORS) or an `apikey`, or for anything never
marked, the request goes through Django as usual. Conditional requests and gzip are answered
with the same rules as `conditional.bytes_response`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from apps.catalog.revisions import watcher
from apps.core.http import accepts_gzip, gzip_etag, is_fresh

MAX_ENTRIES = 2048
MAX_BYTES = 128 * 1024 * 1024  # per process; documents share their bytes, so this is conservative
_PER_REQUEST_HEADERS = {"content-length", "content-encoding", "etag", "last-modified", "content-type"}


@dataclass(frozen=True)
class HotEntry:
    revisions: tuple[tuple[str, int], ...]  # (category, revision) the body was computed from
    headers: tuple[tuple[str, str], ...]  # every header but the ones computed per request
    body: bytes
    gzipped: bytes | None
    etag: str
    last_modified: int | None
    last_modified_http: str | None


def _size(entry: HotEntry) -> int:
    return len(entry.body) + len(entry.gzipped or b"")


class _Store:
    """Oldest-first eviction, bounded by entries and bytes (arbitrary query strings cannot grow it)."""

    def __init__(self) -> None:
        self._entries: OrderedDict[str, HotEntry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> HotEntry | None:
        return self._entries.get(key)

    def put(self, key: str, entry: HotEntry) -> None:
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._bytes -= _size(previous)
            self._entries[key] = entry
            self._bytes += _size(entry)
            while self._entries and (len(self._entries) > MAX_ENTRIES or self._bytes > MAX_BYTES):
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= _size(evicted)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


store = _Store()


def mark_hot(
    response,
    revisions: dict[str, int],
    body: bytes,
    gzipped: bytes | None,
    etag: str,
    last_modified: int | None = None,
    last_modified_http: str | None = None,
):
    """Let the hot path replay `body` (and its gzip) for this URL while `revisions` are current."""
    response.hmr_hot = (
        tuple(sorted(revisions.items())),
        body,
        gzipped,
        etag,
        last_modified,
        last_modified_http,
    )
    return response


def request_key(path: str, query: str) -> str:
    return f"{path}?{query}" if query else path


class HotResponseStore:
    """Django middleware (outermost): remember the responses their views marked as hot."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        marked = getattr(response, "hmr_hot", None)
        meta = request.META
        if (
            marked is None
            or response.status_code not in (200, 304)
            or request.method != "GET"
            or "HTTP_ORIGIN" in meta
            or "HTTP_APIKEY" in meta
        ):
            return response
        revisions, body, gzipped, etag, last_modified, last_modified_http = marked
        headers = tuple((k, v) for k, v in response.items() if k.lower() not in _PER_REQUEST_HEADERS)
        entry = HotEntry(revisions, headers, body, gzipped, etag, last_modified, last_modified_http)
        store.put(request_key(request.path_info, meta.get("QUERY_STRING", "")), entry)
        return response


class HotReadApp:
    """WSGI wrapper: answers GETs for remembered, still-current responses without Django."""

    def __init__(self, application) -> None:
        self.application = application

    def __call__(self, environ, start_response):
        if (
            environ.get("REQUEST_METHOD") == "GET"
            and "HTTP_ORIGIN" not in environ
            and "HTTP_APIKEY" not in environ
        ):
            entry = store.get(request_key(environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", "")))
            if entry is not None and all(watcher.known(c) == r for c, r in entry.revisions):
                return _respond(environ, start_response, entry)
        return self.application(environ, start_response)


def _respond(environ, start_response, entry: HotEntry):
    use_gzip = entry.gzipped is not None and accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING", ""))
    headers = [*entry.headers, ("ETag", gzip_etag(entry.etag) if use_gzip else entry.etag)]
    if entry.last_modified_http:
        headers.append(("Last-Modified", entry.last_modified_http))
    if is_fresh(
        environ.get("HTTP_IF_NONE_MATCH"),
        environ.get("HTTP_IF_MODIFIED_SINCE"),
        entry.etag,
        entry.last_modified,
    ):
        start_response("304 Not Modified", headers)
        return [b""]
    body = entry.gzipped if use_gzip else entry.body
    if use_gzip:
        headers.append(("Content-Encoding", "gzip"))
    headers += [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    start_response("200 OK", headers)
    return [body]

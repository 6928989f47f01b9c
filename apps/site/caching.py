"""Catalog pages rendered once per data revision and answered from memory, with ETag and 304.

A page is named by its path, its query string, the visitor's variant (public, or contributor:
the same page with "Propose a change" links) and the current revision of every category it shows
(`documents.current_revision`: the revision watcher's map, no I/O while its Redis subscription is
live). A data change bumps the revision, so the next request renders anew; nothing is ever
invalidated in place. The revision is read before the render, so a page is never older than the
revision it is stored under.

Pages are kept in this process only (bounded by bytes, least recently used out first): a render
takes milliseconds, each process renders a page at most once per revision, and the bytes are the
same in every process (no timestamps, tokens or per-user text in a page), so their ETags agree
and a 304 from any process is right.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse

from apps.catalog.categories import Category
from apps.catalog.documents import current_revision
from apps.core.http import GZIP_MIN_BYTES, accepts_gzip, gzip_etag, is_fresh

PUBLIC, CONTRIBUTOR = "public", "contributor"
PROPOSE_PERMISSION = "moderation.propose_change"  # the desk's "propose" right (apps/accounts/roles.py)
CONTENT_TYPE = "text/html; charset=utf-8"
# Pages only load our own script and style; showcase images come from the hosts records name.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' https: http: data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


@dataclass(frozen=True)
class Page:
    status: int
    body: bytes
    gzipped: bytes | None
    etag: str  # strong validator of `body`, quoted

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped or b"")


class PageStore:
    """Least recently used pages, at most `max_bytes` of them."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._pages: OrderedDict[tuple, Page] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Page | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: tuple, page: Page) -> None:
        with self._lock:
            previous = self._pages.pop(key, None)
            self._bytes += page.size - (previous.size if previous else 0)
            self._pages[key] = page
            while self._pages and self._bytes > self.max_bytes:
                _, evicted = self._pages.popitem(last=False)
                self._bytes -= evicted.size

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._pages)


store = PageStore(settings.HMR_SITE_CACHE_MB * 1024 * 1024)


def visitor_variant(request) -> str:
    """Contributor: signed in to the admin with the right to propose, on a PRIMARY. No session
    cookie means public without touching the session store."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return PUBLIC
    user = request.user
    if (
        user.is_authenticated
        and user.is_staff
        and settings.HMR_REPLICATE_MODE == "PRIMARY"
        and user.has_perm(PROPOSE_PERMISSION)
    ):
        return CONTRIBUTOR
    return PUBLIC


def _page(status: int, html: str) -> Page:
    body = html.encode()
    gzipped = gzip.compress(body, compresslevel=6, mtime=0) if len(body) >= GZIP_MIN_BYTES else None
    return Page(status, body, gzipped, f'"{hashlib.sha256(body).hexdigest()[:32]}"')


def cached_page(
    request,
    *,
    categories: list[Category],
    render: Callable[[str], tuple[int, str]],
    vary: tuple = (),
) -> HttpResponse:
    """The page for this request: from memory while the categories' revisions (and `vary`, what
    else the page shows that no revision counts) are current, else `render(variant)` ->
    (status, html), kept for the next request."""
    variant = visitor_variant(request)
    revisions = tuple(current_revision(c) for c in categories)
    key = (request.path, request.META.get("QUERY_STRING", ""), variant, revisions, vary)
    page = store.get(key)
    if page is None:
        page = _page(*render(variant))
        store.put(key, page)
    return page_response(request, page, variant)


def page_response(request, page: Page, variant: str) -> HttpResponse:
    meta = request.META
    use_gzip = page.gzipped is not None and accepts_gzip(meta.get("HTTP_ACCEPT_ENCODING", ""))
    if page.status == 200 and is_fresh(meta.get("HTTP_IF_NONE_MATCH"), None, page.etag, None):
        response = HttpResponse(status=304)
        del response["Content-Type"]
    else:
        response = HttpResponse(
            page.gzipped if use_gzip else page.body, status=page.status, content_type=CONTENT_TYPE
        )
        if use_gzip:
            response["Content-Encoding"] = "gzip"
    if page.status == 200:
        response["ETag"] = gzip_etag(page.etag) if use_gzip else page.etag
    response["Cache-Control"] = (
        settings.HMR_SITE_CACHE_CONTROL if variant == PUBLIC else "private, max-age=0, must-revalidate"
    )
    response["Vary"] = "Accept-Encoding, Cookie"
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response

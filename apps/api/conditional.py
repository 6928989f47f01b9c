"""Serving a stored document: ETag / Last-Modified validators, 304, gzip. No rendering here."""

from __future__ import annotations

from email.utils import formatdate, parsedate_to_datetime

from django.conf import settings
from django.http import HttpResponse

from apps.catalog.documents import Document

GZIP_SUFFIX = '-gzip"'


def _gzip_etag(etag: str) -> str:
    return etag[:-1] + GZIP_SUFFIX


def _matches(if_none_match: str, etag: str) -> bool:
    if if_none_match.strip() == "*":
        return True
    wanted = {etag, _gzip_etag(etag)}
    for candidate in if_none_match.split(","):
        candidate = candidate.strip().removeprefix("W/")
        if candidate in wanted:
            return True
    return False


def _not_modified_since(value: str, last_modified: int) -> bool:
    try:
        return parsedate_to_datetime(value).timestamp() >= last_modified
    except (TypeError, ValueError, IndexError, OverflowError):
        return False


def _accepts_gzip(accept_encoding: str) -> bool:
    for part in accept_encoding.split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def document_response(request, document: Document, content_type: str = "application/json") -> HttpResponse:
    """200 with the bytes (gzip when accepted), or 304 when the client's copy is current."""
    meta = request.META
    gzip_ok = _accepts_gzip(meta.get("HTTP_ACCEPT_ENCODING", ""))
    etag = _gzip_etag(document.etag) if gzip_ok else document.etag
    if_none_match = meta.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        fresh = _matches(if_none_match, document.etag)
    else:
        since = meta.get("HTTP_IF_MODIFIED_SINCE")
        fresh = since is not None and _not_modified_since(since, document.last_modified)
    if fresh:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(document.gzipped if gzip_ok else document.body, content_type=content_type)
        if gzip_ok:
            response["Content-Encoding"] = "gzip"
    response["ETag"] = etag
    response["Last-Modified"] = formatdate(document.last_modified, usegmt=True)
    response["Cache-Control"] = settings.HMR_DOCUMENT_CACHE_CONTROL
    response["Vary"] = "Accept-Encoding"
    return response

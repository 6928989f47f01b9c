"""Serving stored bytes: ETag / Last-Modified validators, 304, gzip. No rendering here.

`bytes_response` is what every public read answers with (category documents, single records,
search pages), so Django and the hot path (hot.py) give the same status, headers and bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import json

from django.conf import settings
from django.http import HttpResponse

from apps.api.hot import mark_hot
from apps.catalog.documents import Document
from apps.core.http import GZIP_MIN_BYTES, accepts_gzip, gzip_etag, is_fresh


class KeepsNoResponseMixin:
    """For a DRF view that serves large stored bytes: the view does not keep its response.

    DRF keeps the response on the view (`self.response`), and a view and its request refer to
    each other, so the response, with the document's bytes in it, would outlive the request until
    the next full garbage collection: at 100 times today's catalog each serving process grew by
    about one text document (118 MB) per applied change (bench/scale.py). Without the reference
    the response goes as soon as the server has sent it."""

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        self.response = None
        return response


def bytes_response(
    request,
    body: bytes,
    *,
    etag: str,
    gzipped: bytes | None = None,
    last_modified: int | None = None,
    last_modified_http: str | None = None,
    content_type: str = "application/json",
) -> HttpResponse:
    """200 with the bytes (gzip when accepted and available), or 304 when the client's copy is current."""
    meta = request.META
    use_gzip = gzipped is not None and accepts_gzip(meta.get("HTTP_ACCEPT_ENCODING", ""))
    if is_fresh(meta.get("HTTP_IF_NONE_MATCH"), meta.get("HTTP_IF_MODIFIED_SINCE"), etag, last_modified):
        response = HttpResponse(status=304)
        del response["Content-Type"]
    else:
        response = HttpResponse(gzipped if use_gzip else body, content_type=content_type)
        if use_gzip:
            response["Content-Encoding"] = "gzip"
    response["ETag"] = gzip_etag(etag) if use_gzip else etag
    if last_modified_http:
        response["Last-Modified"] = last_modified_http
    response["Cache-Control"] = settings.HMR_DOCUMENT_CACHE_CONTROL
    if gzipped is not None:
        response["Vary"] = "Accept-Encoding"
    return response


def document_response(request, category: str, document: Document) -> HttpResponse:
    """A category document; the hot path may replay it while the category's revision is current."""
    response = bytes_response(
        request,
        document.body,
        etag=document.etag,
        gzipped=document.gzipped,
        last_modified=document.last_modified,
        last_modified_http=document.last_modified_http,
    )
    return mark_hot(
        response,
        {category: document.revision},
        document.body,
        document.gzipped,
        document.etag,
        document.last_modified,
        document.last_modified_http,
    )


def json_response(request, payload, *, revisions: dict[str, int] | None = None) -> HttpResponse:
    """A public JSON read with validators: compact JSON, ETag of its bytes, gzip above 1 KiB.

    With `revisions` (the category revisions the payload was read at) the hot path may replay it.
    """
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    gzipped = gzip.compress(body, compresslevel=6, mtime=0) if len(body) >= GZIP_MIN_BYTES else None
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    response = bytes_response(request, body, etag=etag, gzipped=gzipped)
    if revisions is not None:
        mark_hot(response, revisions, body, gzipped, etag)
    return response

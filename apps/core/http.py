"""HTTP validators and content coding: pure helpers shared by every view that serves stored bytes
(the API, its hot path, the public catalog)."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

GZIP_SUFFIX = '-gzip"'
GZIP_MIN_BYTES = 1024  # below this gzip saves too little to be worth a second representation


def gzip_etag(etag: str) -> str:
    return etag[:-1] + GZIP_SUFFIX


def _matches(if_none_match: str, etag: str) -> bool:
    if if_none_match.strip() == "*":
        return True
    wanted = {etag, gzip_etag(etag)}
    return any(candidate.strip().removeprefix("W/") in wanted for candidate in if_none_match.split(","))


def _not_modified_since(value: str, last_modified: int) -> bool:
    try:
        return parsedate_to_datetime(value).timestamp() >= last_modified
    except (TypeError, ValueError, IndexError, OverflowError):
        return False


def is_fresh(
    if_none_match: str | None, if_modified_since: str | None, etag: str, last_modified: int | None
) -> bool:
    """RFC 9110: If-None-Match decides when present; else If-Modified-Since."""
    if if_none_match is not None:
        return _matches(if_none_match, etag)
    return (
        if_modified_since is not None
        and last_modified is not None
        and _not_modified_since(if_modified_since, last_modified)
    )


def accepts_gzip(accept_encoding: str) -> bool:
    for part in accept_encoding.split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False

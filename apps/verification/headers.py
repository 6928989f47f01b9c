"""What response headers say about a file: its size and, where the host publishes it, its SHA-256.
Pure functions over header values.

- Hugging Face answers a `resolve` URL of an LFS file with `X-Linked-Etag: "<sha256>"` and
  `X-Linked-Size` on its redirect to the CDN; its own `ETag` is the SHA-256 too for LFS files
  (a 40-hex git blob id for small files, which is no SHA-256 and is ignored).
- `Digest: SHA-256=<base64>` (RFC 3230) and `Repr-Digest: sha-256=:<base64>:` (RFC 9530).
- `Content-Range: bytes 0-0/<total>` answers a one-byte range request.
"""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import urlsplit

_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_LOGIN_PATH = re.compile(r"/(login|log-in|signin|sign-in|sign_in|auth|sso)(/|$|\?)", re.IGNORECASE)
HF_HOSTS = ("huggingface.co", "hf.co")


def is_hugging_face(host: str) -> bool:
    host = host.lower()
    return any(host == h or host.endswith("." + h) for h in HF_HOSTS)


def sha256_from_etag(value: str | None) -> str | None:
    """A 64-hex entity tag (weak or strong, quoted or not) as a lowercase SHA-256."""
    if not value:
        return None
    tag = value.strip().removeprefix("W/").strip().strip('"')
    return tag.lower() if _HEX64.fullmatch(tag) else None


def _b64_sha256(value: str) -> str | None:
    try:
        raw = base64.b64decode(value.strip().strip(":"), validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw.hex() if len(raw) == 32 else None


def sha256_from_digest(digest: str | None, repr_digest: str | None = None) -> str | None:
    """The SHA-256 of `Digest` (`SHA-256=…`) or `Repr-Digest` (`sha-256=:…:`), if either has one."""
    for header in (repr_digest, digest):
        for part in (header or "").split(","):
            algorithm, _, value = part.strip().partition("=")
            if algorithm.strip().lower() == "sha-256" and value:
                found = _b64_sha256(value)
                if found:
                    return found
    return None


def size_from_content_range(value: str | None) -> int | None:
    """The complete length of `bytes 0-0/12345` (or `bytes */12345`); None when unknown (`/*`)."""
    match = re.fullmatch(r"\s*bytes\s+(?:\d+-\d+|\*)/(\d+)\s*", value or "")
    return int(match.group(1)) if match else None


def digits(value: str | None) -> int | None:
    """A header that is a plain number (Content-Length, X-Linked-Size, Retry-After in seconds)."""
    text = (value or "").strip()
    return int(text) if text.isdigit() else None


def is_login_url(url: str) -> bool:
    """A page that asks for a login (`…/login?returnUrl=…`, `…/sign-in`)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return bool(_LOGIN_PATH.search(parts.path + ("?" if parts.query else "")))


def is_web_page(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() in {"text/html", "application/xhtml+xml"}

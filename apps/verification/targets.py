"""What is checked: a download URL with what its record expects behind it. Pure functions.

A record names its files in `config.download` (v2 record data). Each entry's expected SHA-256
is its `sha256sum` ("FIXME", the legacy placeholder, or nothing: unknown), compared
case-insensitively; its expected size is the entry's `size_bytes`, else the record's
`size_on_disk_bytes` when the record has exactly one file (that figure is the size of the one
file then; for several files it is their sum and says nothing about each).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from urllib.parse import urlsplit

UNKNOWN_HASHES = {"", "fixme"}


@dataclass(frozen=True)
class TargetSpec:
    """One URL and what is expected behind it. `file_name` is shown, not compared."""

    url: str
    expected_sha256: str = ""
    expected_size: int | None = None
    file_name: str = field(default="", compare=False)

    def __post_init__(self) -> None:  # one spelling per target: its key must not depend on case
        object.__setattr__(self, "url", self.url.strip())
        object.__setattr__(self, "expected_sha256", expected_sha256(self.expected_sha256))

    @property
    def key(self) -> str:
        size = "" if self.expected_size is None else str(self.expected_size)
        return hashlib.sha256(f"{self.url}\n{self.expected_sha256}\n{size}".encode()).hexdigest()

    @property
    def host(self) -> str:
        return host_of(self.url)


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def expected_sha256(value: object) -> str:
    text = value.strip().lower() if isinstance(value, str) else ""
    return "" if text in UNKNOWN_HASHES else text


def _size(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def target_spec(
    *,
    url: str,
    sha256sum: object,
    size_bytes: object,
    record_size: object,
    file_count: int,
    file_name: str = "",
) -> TargetSpec:
    """The spec of one download entry (the catalog's projection rows use this too)."""
    size = _size(size_bytes)
    if size is None and file_count == 1:
        size = _size(record_size)
    return TargetSpec(url, sha256sum if isinstance(sha256sum, str) else "", size, file_name)


def record_targets(data: dict | None) -> list[TargetSpec]:
    """The specs of a record's download entries, in order, each once."""
    downloads = ((data or {}).get("config") or {}).get("download") or []
    entries = [d for d in downloads if isinstance(d, dict) and isinstance(d.get("file_url"), str)]
    specs = [
        target_spec(
            url=entry["file_url"],
            sha256sum=entry.get("sha256sum"),
            size_bytes=entry.get("size_bytes"),
            record_size=(data or {}).get("size_on_disk_bytes"),
            file_count=len(entries),
            file_name=str(entry.get("file_name") or ""),
        )
        for entry in entries
    ]
    return list(dict.fromkeys(specs))


def changed_targets(proposed: list[TargetSpec], live: list[TargetSpec]) -> list[TargetSpec]:
    """The proposed specs the live record does not have already (added, or URL/hash/size changed)."""
    known = set(live)
    return [spec for spec in proposed if spec not in known]

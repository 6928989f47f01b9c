"""The disk copy of each category's last good document, with its ETag.

One file per category under `<cache_dir>/<server>/`: a one-line JSON header (format, document
URL, ETag, SHA-256 of the body) and then the body exactly as the server sent it. Files are written
to a temporary name and renamed over the old one, so a reader sees the old or the new file, never
half of one; a file torn by a crash or edited by hand fails its checksum and is ignored (the next
good answer replaces it). The file's modification time is when the server last confirmed the copy
(a 304 touches it), which is the age reported for a stale copy. Disk errors are logged, never raised.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("hmr_client")
FORMAT = 1


@dataclass(frozen=True)
class Stored:
    etag: str | None
    body: bytes
    confirmed_at: float  # unix time the server last confirmed this copy


def server_directory(cache_dir: Path, base_url: str) -> Path:
    """`<cache_dir>/<host-port-path>-<hash>`: copies of different servers never mix."""
    readable = re.sub(r"[^A-Za-z0-9.]+", "-", base_url.split("://", 1)[-1]).strip("-")[:60]
    return cache_dir / f"{readable}-{hashlib.sha256(base_url.encode()).hexdigest()[:8]}"


class DiskStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, category: str) -> Path:
        return self.directory / f"{category}.json"

    def load(self, category: str, url: str) -> Stored | None:
        """The stored copy of `url`, or None when there is none or it is unusable (logged)."""
        path = self.path(category)
        try:
            with path.open("rb") as file:
                header_line = file.readline()
                body = file.read()
                confirmed_at = os.fstat(file.fileno()).st_mtime
        except FileNotFoundError:
            return None
        except OSError as error:
            log.warning("hmr-client: cannot read the cached copy %s (%s); ignoring it", path, error)
            return None
        try:
            header = json.loads(header_line)
            usable = (
                isinstance(header, dict)
                and header.get("format") == FORMAT
                and header.get("url") == url
                and header.get("sha256") == hashlib.sha256(body).hexdigest()
            )
        except ValueError:
            usable = False
        if not usable:
            log.warning("hmr-client: the cached copy %s is corrupt or from elsewhere; ignoring it", path)
            return None
        etag = header.get("etag")
        return Stored(etag if isinstance(etag, str) else None, body, confirmed_at)

    def save(self, category: str, url: str, etag: str | None, body: bytes) -> None:
        header = {"format": FORMAT, "url": url, "etag": etag, "sha256": hashlib.sha256(body).hexdigest()}
        target = self.path(category)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=f".{category}.", suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(json.dumps(header).encode() + b"\n")
                    file.write(body)
                os.replace(temporary, target)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except OSError as error:
            log.warning("hmr-client: cannot write the cached copy %s (%s)", target, error)

    def touch(self, category: str) -> None:
        """The server confirmed the stored copy (a 304): its age starts again."""
        try:
            now = time.time()
            os.utime(self.path(category), (now, now))
        except OSError:
            pass  # no copy on disk (or not writable): nothing to refresh

"""Host APIs that publish a file's SHA-256 where its download answer does not. Pure functions.

Civitai: a download URL `https://civitai.com/api/download/models/<version id>?…` is described by
`GET /api/v1/model-versions/<version id>` (public, no token), whose `files[]` carry
`hashes.SHA256`. The file is the one `fileId=` names, else the one matching the `type`, `format`,
`size` and `fp` query parameters, else the version's primary file (what the download answers).
Its `sizeKB` is rounded, so sizes come from the download answer, never from the API.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

_CIVITAI_DOWNLOAD = re.compile(r"/api/download/models/(\d+)/?")


def civitai_api_url(url: str) -> str | None:
    """The model-version API URL describing a civitai download URL (None for any other URL)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    match = _CIVITAI_DOWNLOAD.fullmatch(parts.path)
    if not match or not (host == "civitai.com" or host.endswith(".civitai.com")):
        return None
    return f"{parts.scheme}://{parts.netloc}/api/v1/model-versions/{match.group(1)}"


def _matches(entry: dict, query: dict[str, str]) -> bool:
    metadata = entry.get("metadata") or {}
    wanted = {
        "type": entry.get("type"),
        "format": metadata.get("format"),
        "size": metadata.get("size"),
        "fp": metadata.get("fp"),
    }
    return all(str(wanted[k]).lower() == v.lower() for k, v in query.items() if k in wanted)


def civitai_file_sha256(version: object, url: str) -> str | None:
    """The SHA-256 (lowercase) of the file `url` downloads, from a model-version answer."""
    files = (
        [f for f in (version or {}).get("files") or [] if isinstance(f, dict)]
        if isinstance(version, dict)
        else []
    )
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    if "fileId" in query:
        chosen = [f for f in files if str(f.get("id")) == query["fileId"]]
    else:
        chosen = [f for f in files if _matches(f, query)]
        chosen = [f for f in chosen if f.get("primary")] or chosen
    if not chosen:
        return None
    sha = ((chosen[0].get("hashes") or {}).get("SHA256") or "").strip().lower()
    return sha if re.fullmatch(r"[0-9a-f]{64}", sha) else None

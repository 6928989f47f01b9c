"""The legacy `config` of an image-repo record <-> the v2 downloads, losslessly. Pure functions.

A legacy `config` has two lists: `files` (what a worker needs on disk: `path`, hashes,
`file_type`) and `download` (where to get it: `file_name`, `file_path`, `file_url`). A v2
download is a `files[]` entry whose download entry (same name) has a URL: it is *linked*.
Everything else stays as it was, in its place: config files (yaml), directories and files
without a download entry, download entries no file names (the Hugging Face cache layout of the
2023-25 CLIP records: `refs/main`, blobs, snapshot symlinks), entries without `file_url`, unknown
keys. v2 has no `file_path`, so a cache entry without its path is no download v2 could express.

On the way back the original entries are merged with the current v2 downloads: linked entries
take their download's hash and URL (or go with it), new downloads get fresh entries at the end.
"""

from __future__ import annotations

from typing import Any


def is_config_only(entry: Any) -> bool:
    # Upstream's rule: a files[] entry whose path mentions yaml is a config file, not a download.
    return isinstance(entry, dict) and "yaml" in str(entry.get("path", ""))


def config_entries(config: Any, name: str) -> list:
    value = config.get(name) if isinstance(config, dict) else None
    return value if isinstance(value, list) else []


def _download_urls(downloads: list) -> dict[str, str]:
    """The URL of each download entry by file name (the first one of a name wins)."""
    urls: dict[str, str] = {}
    for entry in downloads:
        if (
            isinstance(entry, dict)
            and isinstance(entry.get("file_name"), str)
            and isinstance(entry.get("file_url"), str)
        ):
            urls.setdefault(entry["file_name"], entry["file_url"])
    return urls


def _is_linked(entry: Any, urls: dict[str, str]) -> bool:
    """A files[] entry that is a v2 download: not a config file, and its download entry has a URL."""
    return isinstance(entry, dict) and not is_config_only(entry) and entry.get("path") in urls


def downloads_from_legacy(config: Any) -> list[dict]:
    urls = _download_urls(config_entries(config, "download"))
    return [
        _download_record(entry["path"], urls[entry["path"]], entry)
        for entry in config_entries(config, "files")
        if _is_linked(entry, urls)
    ]


def _download_record(path: str, url: str, entry: dict) -> dict:
    record: dict[str, Any] = {
        "file_name": path,
        "file_url": url,
        "sha256sum": entry.get("sha256sum")
        if isinstance(entry.get("sha256sum"), str) and entry["sha256sum"]
        else "FIXME",
    }
    for legacy_name, v2_name in (("content_hash", "content_hash"), ("file_type", "file_purpose")):
        if isinstance(entry.get(legacy_name), str) and entry[legacy_name]:
            record[v2_name] = entry[legacy_name]
    record["known_slow_download"] = "civitai" in url
    return record


def legacy_config(config: dict, residue: dict) -> dict:
    """The legacy `config`: the original entries, the linked ones updated from the v2 downloads.

    Linked files[] entries (see `_is_linked`) take the v2 downloads in order; config files and
    unlinked entries stay as they were, in their place. Download entries follow the original
    order: a linked one takes its v2 download's URL (or goes with it), an unlinked one stays.
    v2 downloads beyond the linked entries get fresh entries at the end of both lists.
    """
    downloads = config.get("download") or []
    originals = residue.get("downloads") or []
    urls = _download_urls(originals)
    files: list[Any] = []
    taken = 0
    for entry in residue.get("files") or []:
        if not _is_linked(entry, urls):
            files.append(_copy(entry))
        elif taken < len(downloads):
            files.append(_merge_file_entry(entry, downloads[taken]))
            taken += 1
    files.extend(_fresh_file_entry(d) for d in downloads[taken:])
    linked_names = {e["path"] for e in residue.get("files") or [] if _is_linked(e, urls)}
    by_name: dict[str, dict] = {}
    for item in downloads:
        by_name.setdefault(item["file_name"], item)
    download: list[Any] = []
    written: set[str] = set()
    for entry in originals:
        name = entry.get("file_name") if isinstance(entry, dict) else None
        if name not in linked_names:
            download.append(_copy(entry))
        elif name in by_name and name not in written:
            download.append({**entry, "file_url": by_name[name]["file_url"]})
            written.add(name)
    for item in downloads:
        if item["file_name"] not in written:
            download.append({"file_name": item["file_name"], "file_path": "", "file_url": item["file_url"]})
            written.add(item["file_name"])
    parts = {**(residue.get("config") or {}), "files": files, "download": download}
    order = residue.get("config_order") or ["files", "download"]
    return {k: parts[k] for k in merged_order(parts, order, ("files", "download"))}


def _copy(entry: Any) -> Any:
    """A copy of a config entry that the caller may change without touching the residue."""
    return dict(entry) if isinstance(entry, dict) else entry


def _fresh_file_entry(item: dict) -> dict:
    entry: dict[str, Any] = {"path": item["file_name"]}
    if item.get("sha256sum") and item["sha256sum"] != "FIXME":
        entry["sha256sum"] = item["sha256sum"]
    if item.get("file_purpose"):
        entry["file_type"] = item["file_purpose"]
    if item.get("content_hash"):
        entry["content_hash"] = item["content_hash"]
    return entry


def _merge_file_entry(entry: dict, item: dict) -> dict:
    """The original files[] entry, updated from its v2 download while it names the same file."""
    if entry.get("path") != item["file_name"]:
        return _fresh_file_entry(item)
    merged = dict(entry)
    sha = item.get("sha256sum")
    if sha and sha != "FIXME":
        if merged.get("sha256sum") != sha:
            merged.pop("md5sum", None)  # an md5 of the previous file would now be wrong
        merged["sha256sum"] = sha
    else:
        merged.pop("sha256sum", None)
    for legacy_name, v2_name in (("file_type", "file_purpose"), ("content_hash", "content_hash")):
        if item.get(v2_name):
            merged[legacy_name] = item[v2_name]
        else:
            merged.pop(legacy_name, None)
    return merged


def merged_order(values: dict, old_order: list[str] | None, canonical: tuple[str, ...]) -> list[str]:
    """Keys of `values`: the old order first, new keys slotted in at their canonical place."""
    rank = {k: i for i, k in enumerate(canonical)}
    order = [k for k in (old_order or []) if k in values]
    seen = set(order)
    for k in sorted((k for k in values if k not in seen), key=lambda k: rank.get(k, len(rank))):
        if k not in rank:
            order.append(k)
            continue
        position = 0
        for index, existing in enumerate(order):
            if rank.get(existing, -1) < rank[k]:
                position = index + 1
        order.insert(position, k)
    return order

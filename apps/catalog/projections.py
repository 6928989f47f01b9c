"""Typed columns, tag rows and download rows derived from record data. Pure functions."""

from __future__ import annotations

from urllib.parse import urlsplit

from apps.catalog.categories import Category
from apps.catalog.formats.legacy import legacy_key


def record_columns(category: Category, data: dict) -> dict:
    key = legacy_key(data)
    downloads = (data.get("config") or {}).get("download") or []
    return {
        "legacy_key": key if key != data["name"] else None,
        "description": data.get("description"),
        "model_version": data.get("version"),
        "baseline": data.get("baseline"),
        "nsfw": data.get("nsfw"),
        "inpainting": data.get("inpainting"),
        "style": data.get("style"),
        "parameters_count": data.get("parameters"),
        "size_on_disk_bytes": data.get("size_on_disk_bytes"),
        "display_name": data.get("display_name"),
        "text_model_group": data.get("text_model_group"),
        "controlnet_style": data.get("controlnet_style"),
        "download_count": len(downloads),
        "trigger_count": _size(data.get("trigger")),
        "showcase_count": _size(data.get("showcases")),
        "requirement_count": _size(data.get("requirements")),
    }


def _size(value) -> int:
    return len(value) if isinstance(value, list | dict) else 0


PROJECTED_COLUMNS = tuple(record_columns(Category.BLIP, {"name": "x"}))


def record_tags(data: dict) -> list[str]:
    return list(dict.fromkeys(t for t in data.get("tags") or [] if t))


def record_downloads(data: dict) -> list[dict]:
    rows = []
    for position, item in enumerate((data.get("config") or {}).get("download") or []):
        rows.append(
            {
                "position": position,
                "file_name": item["file_name"],
                "file_url": item["file_url"],
                "host": urlsplit(item["file_url"]).netloc,
                "sha256sum": item.get("sha256sum") or "",
                "file_purpose": item.get("file_purpose") or "",
                "size_bytes": item.get("size_bytes"),
            }
        )
    return rows

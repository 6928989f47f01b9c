"""Where reference files come from: a legacy directory, a v2 directory, or the legacy GitHub repos.

Each reader returns file texts; formats/bundle.py parses them. Network access lives here only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import requests
from django.conf import settings

from apps.catalog.categories import TEXT_DB_FILE, Repo, legacy_categories
from apps.catalog.formats.bundle import ImportFormatError

TEXT_FILES = ("models.csv", TEXT_DB_FILE)
# A small legacy-layout set written for HMR: what `make run` loads when nothing else is reachable.
DEMO_DIR = Path(__file__).resolve().parent / "demo"


class SourceUnavailable(RuntimeError):
    """The source could not be read at all (missing directory, network down)."""


@dataclass(frozen=True)
class LegacyFiles:
    image: dict[str, str]
    text: dict[str, str]
    origin: str


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(str(path), f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def is_legacy_dir(path: Path) -> bool:
    return (path / "image").is_dir() or (path / "text").is_dir()


def read_legacy_dir(path: Path) -> LegacyFiles:
    """`image/*.json` and `text/models.csv` (+ db.json) under `path`, as in ../shared/data/legacy."""
    if not path.is_dir():
        raise SourceUnavailable(f"{path} is not a directory")
    image_dir, text_dir = path / "image", path / "text"
    if not image_dir.is_dir() and not text_dir.is_dir():
        raise SourceUnavailable(f"{path} has neither an image/ nor a text/ directory")
    image = {p.name: _read(p) for p in sorted(image_dir.glob("*.json"))} if image_dir.is_dir() else {}
    text = {}
    if text_dir.is_dir():
        for name in TEXT_FILES:
            if (text_dir / name).is_file():
                text[name] = _read(text_dir / name)
    return LegacyFiles(image, text, str(path))


def read_v2_dir(path: Path) -> dict[str, str]:
    if not path.is_dir():
        raise SourceUnavailable(f"{path} is not a directory")
    return {p.name: _read(p) for p in sorted(path.glob("*.json"))}


def github_raw_url(repo: str, branch: str, file_name: str) -> str:
    return f"{settings.HMR_GITHUB_RAW_BASE.rstrip('/')}/{repo}/refs/heads/{branch}/{file_name}"


def fetch_github_legacy(
    *, timeout: float | None = None, session: requests.Session | None = None
) -> LegacyFiles:
    """The legacy files from the two GitHub repos (raw URLs). Raises SourceUnavailable."""
    session = session or requests.Session()
    timeout = timeout or settings.HMR_HTTP_TIMEOUT_SECONDS
    image: dict[str, str] = {}
    text: dict[str, str] = {}
    targets = [
        (Repo.IMAGE, settings.HMR_IMAGE_REPO, settings.HMR_IMAGE_BRANCH, info.legacy_file, image)
        for info in legacy_categories(Repo.IMAGE)
    ]
    targets.append((Repo.TEXT, settings.HMR_TEXT_REPO, settings.HMR_TEXT_BRANCH, "models.csv", text))
    for _repo, repo_name, branch, file_name, into in targets:
        url = github_raw_url(repo_name, branch, file_name)
        try:
            response = session.get(url, timeout=timeout)
        except requests.RequestException as exc:
            raise SourceUnavailable(f"GitHub is not reachable ({url}): {exc.__class__.__name__}") from exc
        if response.status_code != 200:
            raise SourceUnavailable(f"GitHub answered {response.status_code} for {url}")
        into[file_name] = response.content.decode("utf-8")
    return LegacyFiles(image, text, "github")

"""Where reference files come from: a legacy directory, a v2 directory, or the legacy GitHub repos.

Each reader returns file texts; formats/bundle.py parses them. Network access lives here only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

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


def github_raw_url(repo: str, branch: str, file_name: str, *, ref: str | None = None) -> str:
    """The raw file URL: of the branch's head, or of `ref` (a commit, branch or tag) when given."""
    base = settings.HMR_GITHUB_RAW_BASE.rstrip("/")
    if ref:
        return f"{base}/{repo}/{quote(ref, safe='/')}/{file_name}"
    return f"{base}/{repo}/refs/heads/{branch}/{file_name}"


# The file each repository has in every state: a 404 for it means the state (the ref) is not there.
REQUIRED_FILES = {Repo.IMAGE: "stable_diffusion.json", Repo.TEXT: "models.csv"}


def fetch_github_legacy(
    *,
    image_ref: str | None = None,
    text_ref: str | None = None,
    timeout: float | None = None,
    session: requests.Session | None = None,
) -> LegacyFiles:
    """The legacy files of the two GitHub repos (raw URLs): their branches' heads, or the states
    `image_ref` / `text_ref` name. A category file the state lacks (404) is left out; the state's
    `db.json` is read too, to check it. Raises SourceUnavailable (network down, another status,
    or a ref that does not exist)."""
    session = session or requests.Session()
    timeout = timeout or settings.HMR_HTTP_TIMEOUT_SECONDS
    repos = {
        Repo.IMAGE: (settings.HMR_IMAGE_REPO, settings.HMR_IMAGE_BRANCH, image_ref),
        Repo.TEXT: (settings.HMR_TEXT_REPO, settings.HMR_TEXT_BRANCH, text_ref),
    }
    names = {
        Repo.IMAGE: [info.legacy_file for info in legacy_categories(Repo.IMAGE)],
        Repo.TEXT: list(TEXT_FILES),
    }
    files: dict[Repo, dict[str, str]] = {Repo.IMAGE: {}, Repo.TEXT: {}}
    for repo, (repo_name, branch, ref) in repos.items():
        for file_name in names[repo]:
            url = github_raw_url(repo_name, branch, file_name, ref=ref)
            text = _fetch(session, url, timeout)
            if text is not None:
                files[repo][file_name] = text
            elif file_name == REQUIRED_FILES[repo]:
                state = f"ref {ref!r}" if ref else f"branch {branch!r}"
                raise SourceUnavailable(
                    f"{repo_name} has no {file_name} at {state} (GitHub answered 404 for {url}); "
                    "is the ref right?"
                )
    labels = [f"{r.value}@{ref}" for r, (_, _, ref) in repos.items() if ref]
    origin = "github" + (f" ({', '.join(labels)})" if labels else "")
    return LegacyFiles(files[Repo.IMAGE], files[Repo.TEXT], origin)


def _fetch(session: requests.Session, url: str, timeout: float) -> str | None:
    """The file's text; None when the raw host answers 404 (the file is not in that state)."""
    try:
        response = session.get(url, timeout=timeout)
    except requests.RequestException as exc:
        raise SourceUnavailable(f"GitHub is not reachable ({url}): {exc.__class__.__name__}") from exc
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise SourceUnavailable(f"GitHub answered {response.status_code} for {url}")
    try:
        return response.content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(url, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None

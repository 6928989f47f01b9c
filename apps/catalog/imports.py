"""Import orchestration shared by the import command and `bootstrap`: read a source, parse, import."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from apps.audit.services import Actor
from apps.catalog import sources
from apps.catalog.formats import bundle
from apps.catalog.services import ImportReport, catalog_import

# Text files (models.csv and db.json, in characters) from which the text repo is parsed in a
# second process: about eight times today's 1.2 M, where the parse takes seconds.
PARALLEL_TEXT_CHARS = 10_000_000


def parse_source(
    *,
    legacy_dir: Path | None = None,
    v2_dir: Path | None = None,
    image_ref: str | None = None,
    text_ref: str | None = None,
    strict: bool = False,
) -> tuple[list, str]:
    """Parsed categories and a label for the source: a legacy dir, a v2 dir, or GitHub (default;
    the branches' heads, or the states `image_ref` / `text_ref` name)."""
    if v2_dir is not None:
        return bundle.parse_v2_files(sources.read_v2_dir(v2_dir)), str(v2_dir)
    if legacy_dir is not None:
        files = sources.read_legacy_dir(legacy_dir)
    else:
        files = sources.fetch_github_legacy(image_ref=image_ref, text_ref=text_ref)
    return _parse_legacy(files.image, files.text, strict=strict), files.origin


def _parse_legacy(image: dict[str, str], text: dict[str, str], *, strict: bool) -> list:
    """`bundle.parse_legacy_files`, with a large text repo parsed in a second process meanwhile.

    The two repos' files are independent and parsing is pure CPU work: on a catalog many times
    today's, models.csv and db.json take as long as all the image files, so the import's parse
    costs the longer of the two instead of their sum. A spawned process (not forked: the caller
    may run threads) starts in about half a second; small sources are parsed here.
    """
    if not image or sum(len(t) for t in text.values()) < PARALLEL_TEXT_CHARS:
        return bundle.parse_legacy_files(image, text, strict=strict)
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        text_parsed = pool.submit(bundle.parse_legacy_text_files, text, strict=strict)
        image_parsed = bundle.parse_legacy_image_files(image)
        return bundle.in_category_order([*image_parsed, *text_parsed.result()])


def import_references(
    *,
    actor: Actor,
    legacy_dir: Path | None = None,
    v2_dir: Path | None = None,
    image_ref: str | None = None,
    text_ref: str | None = None,
    strict: bool = False,
    dry_run: bool = False,
    progress_factory: Callable[[int], Callable[[int], None]] | None = None,
) -> tuple[ImportReport, str]:
    """Read, parse and import one source. Raises SourceUnavailable or ImportFormatError (`strict`:
    also when the source's db.json is not what its models.csv generates)."""
    parsed, label = parse_source(
        legacy_dir=legacy_dir, v2_dir=v2_dir, image_ref=image_ref, text_ref=text_ref, strict=strict
    )
    total = sum(len(p.records) for p in parsed)
    progress = progress_factory(total) if progress_factory else None
    report = catalog_import(
        parsed=parsed, actor=actor, dry_run=dry_run, keep_legacy_residue=v2_dir is not None, progress=progress
    )
    return report, label

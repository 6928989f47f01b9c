"""Export: the files of a category under HMR_EXPORT_DIR, rewritten only when their bytes change.

Layout (relative to HMR_EXPORT_DIR):
    v2/{v2 file}                  every category (`{}` when empty), as upstream's PRIMARY serves it
    legacy/image/{legacy file}    image-repo categories, byte-identical to the legacy repo
    legacy/text/models.csv, legacy/text/db.json
so `manage.py import_references --legacy $HMR_EXPORT_DIR/legacy` reads an export back.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from apps.catalog import assembly
from apps.catalog.categories import CATEGORIES, Category, Repo
from apps.catalog.formats import pieces, render
from apps.catalog.services import category_metadata_for_update
from apps.core import clock
from apps.core.files import write_atomic
from apps.core.hashing import sha256_hex
from apps.sync.models import ExportedFile, ExportRun
from apps.sync.services.runs import runs_prune

logger = logging.getLogger(__name__)
Format = ExportedFile.Format
# Older than any export can run (the task's hard limit is 150 s): its writer is gone.
STALE_TEMP_SECONDS = 900


@dataclass(frozen=True)
class RenderedFile:
    path: str  # relative to HMR_EXPORT_DIR
    format: str
    content: bytes


@dataclass
class ExportOutcome:
    category: Category
    result: str
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    error: str = ""


def category_files(category: Category) -> list[RenderedFile]:
    """The category's v2 file and legacy file(s), assembled from the records' kept pieces
    (catalog/assembly.py: only records changed since this process's last export are rendered)."""
    files = [
        RenderedFile(f"v2/{CATEGORIES[category].v2_file}", Format.V2, _assembled(category, pieces.V2_FILE))
    ]
    legacy_path = render.legacy_export_path(category)
    if legacy_path is not None:
        files.append(
            RenderedFile(f"legacy/{legacy_path}", Format.LEGACY, _assembled(category, pieces.LEGACY_FILE))
        )
    if CATEGORIES[category].repo == Repo.TEXT:
        files.append(
            RenderedFile(
                f"legacy/{pieces.text_db_path()}", Format.LEGACY, _assembled(category, pieces.TEXT_DB)
            )
        )
    return files


def _assembled(category: Category, fmt: str) -> bytes:
    return assembly.assemble(category, fmt, compress=False).body


def _remove_stale_temps(path: Path) -> None:
    """Temporary files `write_atomic` left behind when its process was killed mid-write."""
    cutoff = time.time() - STALE_TEMP_SECONDS
    for temp in path.parent.glob(f".{path.name}.*"):
        with contextlib.suppress(FileNotFoundError):
            if temp.stat().st_mtime < cutoff:
                temp.unlink()


def _on_disk_sha(path: Path) -> str | None:
    try:
        return sha256_hex(path.read_bytes())
    except FileNotFoundError:
        return None


def category_export(*, category: Category) -> ExportOutcome:
    """Render the category and write each file whose bytes differ from the file on disk.

    A file with the same bytes is not touched (same mtime), so re-running on unchanged data writes
    nothing. Each file is replaced atomically (a reader sees the old or the new bytes). Runs under
    the category's metadata row lock, so two exports of one category never interleave and the
    later one always renders the later data. Records an `ExportRun`; failures are recorded and
    re-raised (OSError is worth a retry: disk full, volume not mounted yet).
    """
    started = clock.now()
    root = Path(settings.HMR_EXPORT_DIR)
    outcome = ExportOutcome(category, ExportRun.Result.UNCHANGED)
    revision = None
    digests: list[dict] = []
    try:
        with transaction.atomic():
            revision = category_metadata_for_update(category).revision
            for file in category_files(category):
                _remove_stale_temps(root / file.path)
                digest = sha256_hex(file.content)
                written = _on_disk_sha(root / file.path) != digest
                if written:
                    write_atomic(root / file.path, file.content)
                    outcome.written.append(file.path)
                else:
                    outcome.unchanged.append(file.path)
                _record_file(category, file, digest, revision, written)
                digests.append(
                    {"path": file.path, "sha256": digest, "bytes": len(file.content), "written": written}
                )
    except Exception as exc:
        outcome.result, outcome.error = ExportRun.Result.FAILED, f"{exc.__class__.__name__}: {exc}"
        _record_run(outcome, started, revision, digests)
        logger.exception("Export of %s failed", category.value)
        raise
    if outcome.written:
        outcome.result = ExportRun.Result.WRITTEN
    _record_run(outcome, started, revision, digests)
    return outcome


def categories_export(*, categories: list[Category] | None = None) -> list[ExportOutcome]:
    """Export several categories (all by default: the nightly check). A failure does not stop the rest."""
    outcomes = []
    for category in categories or list(Category):
        try:
            outcomes.append(category_export(category=category))
        except Exception as exc:  # recorded as a failed ExportRun already; go on with the others
            outcomes.append(ExportOutcome(category, ExportRun.Result.FAILED, error=str(exc)))
    return outcomes


def _record_file(category: Category, file: RenderedFile, digest: str, revision: int, written: bool) -> None:
    current = ExportedFile.objects.filter(path=file.path).values_list("sha256", flat=True).first()
    if current == digest and not written:
        return
    ExportedFile.objects.update_or_create(
        path=file.path,
        defaults={
            "category": category.value,
            "format": file.format,
            "sha256": digest,
            "size_bytes": len(file.content),
            "revision": revision,
            "written_at": clock.now(),
        },
    )


def _record_run(outcome: ExportOutcome, started, revision: int | None, digests: list[dict]) -> None:
    ExportRun.objects.create(
        category=outcome.category.value,
        revision=revision,
        started_at=started,
        finished_at=clock.now(),
        result=outcome.result,
        files_written=len(outcome.written),
        files=digests,
        error=outcome.error,
    )
    runs_prune(ExportRun)

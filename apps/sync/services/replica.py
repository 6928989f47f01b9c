"""REPLICA mode: keep the local catalog a copy of the PRIMARY's, pulled with conditional GETs.

Each category's v2 document comes from `{HMR_PRIMARY_API_URL}/model_references/v2/{category}`
with `If-None-Match` / `If-Modified-Since` from the last answer; a 304, or a body with the same
hash as last time, writes nothing. New bodies go through `catalog_import` (origin "replica"),
which itself writes nothing for records that did not change. When the PRIMARY is down the legacy
files on GitHub are imported instead (HMR_REPLICA_GITHUB_FALLBACK), and the validators of every
category that fallback changed are forgotten, so the next pull from the PRIMARY is a full one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import requests
from django.conf import settings
from django.db import transaction

from apps.audit.models import AuditEvent
from apps.audit.services import Actor
from apps.catalog import sources
from apps.catalog.categories import CATEGORIES, Category
from apps.catalog.formats import bundle
from apps.catalog.services import ImportReport, catalog_import
from apps.core import clock
from apps.core.hashing import sha256_hex
from apps.sync.models import ReplicaRun, ReplicaSource
from apps.sync.services.runs import runs_prune

logger = logging.getLogger(__name__)
Result = ReplicaRun.Result


class ReplicaNotAvailable(Exception):
    """replica_pull runs only on a REPLICA (on a PRIMARY it would overwrite moderated data)."""


class PrimaryUnavailable(Exception):
    pass


@dataclass(frozen=True)
class Fetched:
    category: Category
    text: str
    etag: str
    last_modified: str
    sha256: str


@dataclass
class ReplicaOutcome:
    result: str
    source: str
    changed: int = 0
    summary: dict[str, str] = field(default_factory=dict)
    note: str = ""
    error: str = ""


def primary_url(category: Category) -> str:
    return f"{settings.HMR_PRIMARY_API_URL}/model_references/v2/{category.value}"


def replica_pull(*, session: requests.Session | None = None) -> ReplicaOutcome:
    """Pull every category from the PRIMARY (or GitHub when it is down) into the local catalog.

    Raises ReplicaNotAvailable unless HMR_REPLICATE_MODE is REPLICA. Records a `ReplicaRun`; a
    failed pull (PRIMARY down and no usable fallback, or data that does not import) is recorded
    and returned with result "failed", not raised: the next scheduled pull tries again.
    """
    if settings.HMR_REPLICATE_MODE != "REPLICA":
        raise ReplicaNotAvailable("replica_pull runs only when HMR_REPLICATE_MODE=REPLICA.")
    started = clock.now()
    session = session or requests.Session()
    try:
        summary, fetched = _fetch_all(session)
    except PrimaryUnavailable as exc:
        outcome = _github_fallback(session, reason=str(exc))
    else:
        outcome = _import_primary(summary, fetched)
    _record(outcome, started)
    return outcome


def _fetch_all(session: requests.Session) -> tuple[dict[str, str], list[Fetched]]:
    states = {s.category: s for s in ReplicaSource.objects.all()}
    summary: dict[str, str] = {}
    fetched = []
    for category in Category:
        label, item = _fetch(session, category, states.get(category.value))
        summary[category.value] = label
        if item is not None:
            fetched.append(item)
    if all(label == "not served" for label in summary.values()):
        raise PrimaryUnavailable(
            f"{settings.HMR_PRIMARY_API_URL} answered 404 for every category (check HMR_PRIMARY_API_URL)"
        )
    return summary, fetched


def _fetch(session: requests.Session, category: Category, state: ReplicaSource | None):
    url = primary_url(category)
    headers = {"Accept": "application/json"}
    if state and state.etag:
        headers["If-None-Match"] = state.etag
    if state and state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    try:
        response = session.get(url, headers=headers, timeout=settings.HMR_PRIMARY_API_TIMEOUT_SECONDS)
    except requests.RequestException as exc:
        raise PrimaryUnavailable(f"{url} is not reachable ({exc.__class__.__name__})") from exc
    if response.status_code == 304:
        return "not modified", None
    if response.status_code == 404:  # a category the PRIMARY has no file for (v2-only, always empty)
        return "not served", None
    if response.status_code != 200:
        raise PrimaryUnavailable(f"{url} answered {response.status_code}")
    digest = sha256_hex(response.content)
    if state and state.sha256 == digest:
        return "same content", None
    item = Fetched(
        category,
        response.content.decode("utf-8"),
        response.headers.get("ETag", ""),
        response.headers.get("Last-Modified", ""),
        digest,
    )
    return "downloaded", item


def _report_summary(summary: dict[str, str], report: ImportReport | None) -> int:
    for row in report.categories if report else []:
        summary[row.category] = (
            f"{row.created} created, {row.updated} updated, {row.deleted} deleted"
            if row.changed
            else "no record changed"
        )
    return report.changed if report else 0


def _import_primary(summary: dict[str, str], fetched: list[Fetched]) -> ReplicaOutcome:
    outcome = ReplicaOutcome(Result.UNCHANGED, ReplicaRun.Source.PRIMARY, summary=summary)
    if not fetched:
        return outcome
    actor = Actor(origin=AuditEvent.Origin.REPLICA, name=f"replica pull from {settings.HMR_PRIMARY_API_URL}")
    try:
        parsed = [bundle.parse_v2_file(CATEGORIES[f.category].v2_file, f.text) for f in fetched]
        with transaction.atomic():
            # v2 documents carry no legacy residue: keep what the records have, so the legacy
            # export of a replica stays as exact as its last GitHub import made it.
            report = catalog_import(parsed=parsed, actor=actor, keep_legacy_residue=True)
            for item in fetched:
                ReplicaSource.objects.update_or_create(
                    category=item.category.value,
                    defaults={
                        "etag": item.etag,
                        "last_modified": item.last_modified,
                        "sha256": item.sha256,
                        "fetched_at": clock.now(),
                    },
                )
    except bundle.ImportFormatError as exc:
        outcome.result, outcome.error = Result.FAILED, f"The PRIMARY sent data that does not import: {exc}"
        return outcome
    outcome.changed = _report_summary(summary, report)
    outcome.result = Result.IMPORTED if outcome.changed else Result.UNCHANGED
    return outcome


def _github_fallback(session: requests.Session, *, reason: str) -> ReplicaOutcome:
    outcome = ReplicaOutcome(Result.FAILED, ReplicaRun.Source.GITHUB, note=f"PRIMARY unavailable: {reason}")
    if not settings.HMR_REPLICA_GITHUB_FALLBACK:
        outcome.source, outcome.note = ReplicaRun.Source.PRIMARY, ""
        outcome.error = f"PRIMARY unavailable: {reason} (the GitHub fallback is off)"
        return outcome
    actor = Actor(origin=AuditEvent.Origin.REPLICA, name="replica pull: GitHub fallback")
    try:
        files = sources.fetch_github_legacy(session=session)
        parsed = bundle.parse_legacy_files(files.image, files.text)
        with transaction.atomic():
            report = catalog_import(parsed=parsed, actor=actor)
            changed = [row.category for row in report.categories if row.touched]
            ReplicaSource.objects.filter(category__in=changed).update(etag="", last_modified="", sha256="")
    except (sources.SourceUnavailable, bundle.ImportFormatError) as exc:
        outcome.error = f"PRIMARY unavailable: {reason}; GitHub fallback failed: {exc}"
        return outcome
    outcome.changed = _report_summary(outcome.summary, report)
    outcome.result = Result.IMPORTED if outcome.changed else Result.UNCHANGED
    return outcome


def _record(outcome: ReplicaOutcome, started) -> None:
    ReplicaRun.objects.create(
        started_at=started,
        finished_at=clock.now(),
        result=outcome.result,
        source=outcome.source,
        changed=outcome.changed,
        summary=outcome.summary,
        note=outcome.note,
        error=outcome.error,
    )
    runs_prune(ReplicaRun)
    log = logger.warning if outcome.result == Result.FAILED else logger.info
    log("Replica pull from %s: %s %s", outcome.source, outcome.result, outcome.error or outcome.note)

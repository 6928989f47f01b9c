"""Celery tasks: thin adapters over apps/sync/services.

Each task takes plain values (a category or repo name), re-reads everything it needs, is safe to
run twice, declares its time limits and retries only transient failures, a bounded number of
times with exponential backoff. Task names are stable: beat schedules refer to them.
"""

from __future__ import annotations

import logging

from celery import shared_task
from kombu.exceptions import OperationalError as BrokerUnavailable

from apps.catalog.categories import Category, Repo
from apps.core.errors import TransientError
from apps.sync.services.exports import categories_export, category_export
from apps.sync.services.github_sync import SYNC_TIME_LIMIT_SECONDS, SyncNotAvailable, repo_sync
from apps.sync.services.replica import ReplicaNotAvailable
from apps.sync.services.replica import replica_pull as replica_pull_service

logger = logging.getLogger(__name__)
RETRY = {"retry_backoff": 30, "retry_backoff_max": 600, "retry_jitter": True, "max_retries": 3}


@shared_task(
    name="sync.export_category", autoretry_for=(OSError,), soft_time_limit=120, time_limit=150, **RETRY
)
def export_category(category: str) -> dict:
    """Write the category's files into HMR_EXPORT_DIR where their bytes changed."""
    outcome = category_export(category=Category(category))
    return {"category": category, "result": outcome.result, "written": outcome.written}


def queue_exports(categories: list[Category]) -> None:
    """After a committed change (catalog hooks): queue an export of each changed category. When
    the broker cannot take the task, export here instead (an export writes only changed bytes, so
    running it in this process and again later changes nothing twice)."""
    for category in categories:
        try:
            try:
                export_category.delay(category.value)
            except BrokerUnavailable:
                logger.warning("Broker unavailable: exporting %s in this process", category.value)
                category_export(category=category)
        except Exception:
            # The change is committed whatever happens here (disk full in either mode); the nightly
            # export check writes what this export missed.
            logger.exception("Could not export %s after a change", category.value)


@shared_task(name="sync.export_all", soft_time_limit=900, time_limit=960)
def export_all() -> dict:
    """The nightly export check: every category, written only where bytes changed."""
    return {outcome.category.value: outcome.result for outcome in categories_export()}


@shared_task(
    name="sync.sync_github",
    autoretry_for=(TransientError,),
    soft_time_limit=SYNC_TIME_LIMIT_SECONDS - 60,
    time_limit=SYNC_TIME_LIMIT_SECONDS,
    **RETRY,
)
def sync_github(repo: str | None = None) -> dict:
    """Sync one legacy repository; without `repo`, queue one task per repository (own retries)."""
    if repo is None:
        for each in Repo:
            sync_github.delay(each.value)
        return {"queued": [each.value for each in Repo]}
    try:
        outcome = repo_sync(repo=Repo(repo))
    except SyncNotAvailable as exc:
        logger.info("GitHub sync of %s skipped: %s", repo, exc)
        return {"repo": repo, "result": "skipped", "reason": str(exc)}
    return {"repo": repo, "result": outcome.result, "pull": outcome.pull.url if outcome.pull else None}


@shared_task(name="sync.replica_pull", soft_time_limit=400, time_limit=450)
def replica_pull() -> dict:
    """Pull the PRIMARY's documents (REPLICA only; a PRIMARY skips it)."""
    try:
        outcome = replica_pull_service()
    except ReplicaNotAvailable as exc:
        logger.debug("Replica pull skipped: %s", exc)
        return {"result": "skipped"}
    return {"result": outcome.result, "source": outcome.source, "changed": outcome.changed}

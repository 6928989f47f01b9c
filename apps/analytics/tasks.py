"""Celery tasks of the analytics app: thin adapters over services/refresh.py (stable names)."""

from __future__ import annotations

import logging

from celery import shared_task

from apps.analytics.categories import LIVE_CATEGORIES
from apps.analytics.services import snapshot_rematch, usage_refresh
from apps.catalog.categories import Category

logger = logging.getLogger(__name__)


@shared_task(name="analytics.usage_refresh", soft_time_limit=540, time_limit=600)
def refresh_usage() -> dict:
    """Collect AI-Horde usage (beat, every HMR_USAGE_REFRESH_MINUTES). Failures are noted on the
    snapshot, not retried here: the next run is the retry, and the client already retried."""
    return {o.category.value: {"result": o.result, "error": o.error} for o in usage_refresh()}


@shared_task(name="analytics.usage_rematch", soft_time_limit=120, time_limit=150)
def rematch_usage(category: str) -> dict:
    outcome = snapshot_rematch(category=Category(category))
    return {"category": category, "result": outcome.result}


def queue_rematch(categories: list[Category]) -> None:
    """After a committed change (catalog hooks): re-match the kept answers of live categories."""
    for category in categories:
        if category not in LIVE_CATEGORIES:
            continue
        try:
            rematch_usage.delay(category.value)
        except Exception:
            # The change is committed; the next refresh matches the new records anyway.
            logger.exception("Could not queue the usage re-match of %s", category.value)

"""Celery tasks: thin adapters over apps/verification/services.py. Names are stable (beat and
other apps refer to them). A check stores whatever a host answers, so no task retries; a slice
cut short by its time limit keeps the results it stored, and what it did not reach stays marked
as requested until the next night's plan picks it up again."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from apps.verification import selectors, services
from apps.verification.models import DownloadCheck
from apps.verification.targets import TargetSpec

logger = logging.getLogger(__name__)
Trigger = DownloadCheck.Trigger
MAX_GAP_SECONDS = 1800  # between nightly slices; well inside a broker's visibility timeout


@shared_task(name="verification.check_targets", soft_time_limit=1800, time_limit=1860)
def check_targets(target_ids: list[int], trigger: str) -> dict:
    """Check these download targets now (ids of verification.DownloadTarget)."""
    report = services.download_checks_run(target_ids=target_ids, trigger=trigger)
    return {"checked": report.checked, "outcomes": dict(report.outcomes)}


def queue_download_checks(specs: list[TargetSpec], trigger: str) -> int:
    """Mark `specs` as waiting and queue their check; how many were queued.

    Callers run this after their own commit (a proposed change, an admin button). It never
    raises: a broker that is down leaves the URLs marked, and the nightly round checks them.
    """
    try:
        ids = services.download_checks_request(specs=specs)
        if ids:
            check_targets.delay(ids, trigger)
        return len(ids)
    except Exception:
        logger.exception("Could not queue the check of %d download URL(s)", len(specs))
        return 0


def queue_record_checks(*, category: str | None = None, record_ids: list[int] | None = None) -> int:
    """ "Check downloads now" for records (by id) or a whole category: every URL, fresh or not."""
    specs = [
        s for each in selectors.catalog_specs(category=category, record_ids=record_ids).values() for s in each
    ]
    return queue_download_checks(list(dict.fromkeys(specs)), Trigger.ON_DEMAND)


@shared_task(name="verification.nightly", soft_time_limit=300, time_limit=360)
def nightly() -> dict:
    """Queue every catalog URL without a fresh check, in slices spread over
    HMR_VERIFY_NIGHTLY_SPREAD_MINUTES; forget checks older than HMR_VERIFY_HISTORY_DAYS."""
    plan = services.nightly_plan()
    gap = min(settings.HMR_VERIFY_NIGHTLY_SPREAD_MINUTES * 60 / max(len(plan.slices), 1), MAX_GAP_SECONDS)
    if plan.slices:
        nightly_slices.delay(plan.slices, gap)
    return {
        "queued": plan.targets,
        "slices": len(plan.slices),
        "seconds_between_slices": round(gap, 1) if plan.slices else None,
        "fresh": plan.fresh,
        "already_queued": plan.queued,
        "purged": services.download_history_purge(),
    }


@shared_task(name="verification.nightly_slices", soft_time_limit=1800, time_limit=1860)
def nightly_slices(slices: list[list[int]], gap_seconds: float) -> dict:
    """Check the first slice, then queue the rest `gap_seconds` later (a chain of short waits:
    ETAs of hours outlive a Redis broker's visibility timeout and are delivered twice)."""
    try:
        report = services.download_checks_run(target_ids=slices[0], trigger=Trigger.NIGHTLY)
    finally:
        if len(slices) > 1:
            nightly_slices.apply_async((slices[1:], gap_seconds), countdown=gap_seconds)
    return {"checked": report.checked, "outcomes": dict(report.outcomes), "slices_left": len(slices) - 1}

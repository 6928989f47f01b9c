"""Helpers of the download check tests: check URLs through the services, read what was stored."""

from __future__ import annotations

from apps.verification import services
from apps.verification.models import DownloadCheck, DownloadTarget
from apps.verification.targets import TargetSpec


def check(*specs: TargetSpec, trigger: str = DownloadCheck.Trigger.ON_DEMAND) -> list[DownloadCheck]:
    """Queue and run the checks of `specs` now; the stored check of each, in the order given."""
    ids = services.download_checks_request(specs=list(specs))
    services.download_checks_run(target_ids=ids, trigger=trigger)
    targets = {t.key: t for t in DownloadTarget.objects.filter(pk__in=ids).select_related("latest_check")}
    return [targets[s.key].latest_check for s in specs]


def stored(check_row: DownloadCheck) -> dict:
    """What a check stored, as a reviewer would read it."""
    return {
        "outcome": check_row.outcome,
        "reason": check_row.reason,
        "http_status": check_row.http_status,
        "final_url": check_row.final_url,
        "redirects": check_row.redirects,
        "remote_size": check_row.remote_size,
        "remote_sha256": check_row.remote_sha256,
        "hash_source": check_row.hash_source,
        "requests_sent": check_row.requests_sent,
    }

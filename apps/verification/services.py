"""Download checks: ask for them, run them, plan the nightly round, forget old history.

- `download_checks_request(specs)` marks URLs as waiting for a check (the desk shows
  "checking…") and returns their target ids; the task `verification.check_targets` runs them.
- `download_checks_run(target_ids, trigger)` checks every target now: threads
  (HMR_VERIFY_WORKERS) share one client whose per-host gate holds the limits; each result is
  stored as it comes in (one short transaction each), so a run cut short keeps what it found.
- `nightly_plan()` picks every catalog URL without a fresh check (HMR_VERIFY_FRESH_HOURS) and not
  already queued, and splits them into slices the nightly task spreads over the night.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import zip_longest

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from apps.core import clock
from apps.verification import selectors
from apps.verification.client import ClientConfig, FileHostClient
from apps.verification.judge import Probe, judge
from apps.verification.limits import HostGate, rate_interval
from apps.verification.models import DownloadCheck, DownloadTarget
from apps.verification.targets import TargetSpec

logger = logging.getLogger(__name__)
Trigger = DownloadCheck.Trigger


@dataclass
class RunReport:
    checked: int = 0
    outcomes: Counter = field(default_factory=Counter)


@dataclass
class NightlyPlan:
    slices: list[list[int]]
    fresh: int  # URLs skipped: checked within HMR_VERIFY_FRESH_HOURS
    queued: int  # URLs skipped: a check is queued already

    @property
    def targets(self) -> int:
        return sum(len(s) for s in self.slices)


def file_host_client() -> FileHostClient:
    """The client with the limits and timeouts of the settings."""
    connect, read = settings.HMR_VERIFY_CONNECT_TIMEOUT_SECONDS, settings.HMR_VERIFY_READ_TIMEOUT_SECONDS
    gate = HostGate(
        cache=cache,
        concurrency=settings.HMR_VERIFY_HOST_CONCURRENCY,
        interval=rate_interval(settings.HMR_VERIFY_HOST_RATE),
        lease=connect + read + 5,
    )
    config = ClientConfig(
        user_agent=settings.HMR_VERIFY_USER_AGENT,
        connect_timeout=connect,
        read_timeout=read,
        retries=settings.HMR_VERIFY_RETRIES,
        backoff=settings.HMR_VERIFY_RETRY_BACKOFF_SECONDS,
        max_redirects=settings.HMR_VERIFY_MAX_REDIRECTS,
    )
    return FileHostClient(config=config, gate=gate)


def download_checks_request(*, specs: list[TargetSpec]) -> list[int]:
    """Mark the targets of `specs` as waiting for a check (created on first sight); their ids.

    One transaction. Nothing is contacted; queue `verification.check_targets` with the ids.
    """
    specs = list(dict.fromkeys(specs))
    if not specs:
        return []
    now = clock.now()
    with transaction.atomic():
        DownloadTarget.objects.bulk_create(
            [
                DownloadTarget(
                    key=s.key,
                    url=s.url,
                    host=s.host[:255],
                    expected_sha256=s.expected_sha256[:128],
                    expected_size=s.expected_size,
                    created_at=now,
                )
                for s in specs
            ],
            ignore_conflicts=True,
        )
        targets = DownloadTarget.objects.filter(key__in=[s.key for s in specs])
        targets.update(requested_at=now)
        ids = dict(targets.values_list("key", "id"))
    return [ids[s.key] for s in specs]


def download_checks_run(*, target_ids: list[int], trigger: str) -> RunReport:
    """Check each target now and store the result; never raises for what a host does."""
    targets = list(DownloadTarget.objects.filter(pk__in=target_ids).order_by("id"))
    report = RunReport()
    if not targets:
        return report
    started = clock.now()
    client = file_host_client()
    try:
        workers = max(1, min(settings.HMR_VERIFY_WORKERS, len(targets)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="download-check") as pool:
            futures = {pool.submit(_probe, client, target.url): target for target in targets}
            for future in as_completed(futures):
                target = futures[future]
                probe, elapsed_ms = future.result()
                outcome = _store(target, probe, elapsed_ms, trigger, started)
                report.checked += 1
                report.outcomes[outcome] += 1
    finally:
        client.close()
    return report


def _probe(client: FileHostClient, url: str) -> tuple[Probe, int]:
    began = time.monotonic()
    try:
        probe = client.probe(url)
    except Exception as exc:  # a bug must not lose the other results of the run
        logger.exception("Checking %s failed", url)
        probe = Probe(error="request", detail=f"HMR could not check this URL ({type(exc).__name__})")
    return probe, int((time.monotonic() - began) * 1000)


def _spec(target: DownloadTarget) -> TargetSpec:
    return TargetSpec(target.url, target.expected_sha256, target.expected_size)


def _store(target: DownloadTarget, probe: Probe, elapsed_ms: int, trigger: str, started) -> str:
    verdict = judge(_spec(target), probe)
    with transaction.atomic():
        check = DownloadCheck.objects.create(
            target=target,
            checked_at=clock.now(),
            trigger=trigger,
            outcome=verdict.outcome,
            reason=verdict.reason,
            http_status=probe.status,
            final_url=probe.final_url if probe.final_url != target.url else "",
            redirects=probe.redirects,
            remote_size=probe.size,
            remote_sha256=probe.sha256 or "",
            hash_source=probe.hash_source,
            requests_sent=min(probe.requests, 32767),
            elapsed_ms=elapsed_ms,
        )
        DownloadTarget.objects.filter(pk=target.pk).update(latest_check=check)
        # A request made after this run started is still waiting for its own run.
        DownloadTarget.objects.filter(pk=target.pk, requested_at__lte=started).update(requested_at=None)
    return verdict.outcome


def nightly_plan() -> NightlyPlan:
    """Queue (mark as requested) every catalog URL that has no fresh check and is not queued."""
    now = clock.now()
    fresh_after = now - timedelta(hours=settings.HMR_VERIFY_FRESH_HOURS)
    queued_after = now - timedelta(minutes=settings.HMR_VERIFY_NIGHTLY_SPREAD_MINUTES + 60)
    specs = list(dict.fromkeys(s for each in selectors.catalog_specs().values() for s in each))
    known = DownloadTarget.objects.filter(key__in=[s.key for s in specs])
    fresh = set(known.filter(latest_check__checked_at__gte=fresh_after).values_list("key", flat=True))
    queued = set(known.filter(requested_at__gte=queued_after).values_list("key", flat=True)) - fresh
    due = [s for s in specs if s.key not in fresh and s.key not in queued]
    ids = download_checks_request(specs=due)
    return NightlyPlan(_slices(due, ids, settings.HMR_VERIFY_SLICE_SIZE), len(fresh), len(queued))


def _slices(specs: list[TargetSpec], ids: list[int], size: int) -> list[list[int]]:
    """Slices of `size` ids, hosts interleaved, so each slice keeps several hosts busy at once."""
    by_host: dict[str, list[int]] = defaultdict(list)
    for spec, target_id in zip(specs, ids, strict=True):
        by_host[spec.host].append(target_id)
    order = [i for group in zip_longest(*by_host.values()) for i in group if i is not None]
    return [order[i : i + size] for i in range(0, len(order), size)]


def download_history_purge(*, days: int | None = None) -> int:
    """Delete checks older than `days` (HMR_VERIFY_HISTORY_DAYS), except each target's latest."""
    cutoff = clock.now() - timedelta(days=days or settings.HMR_VERIFY_HISTORY_DAYS)
    latest = DownloadTarget.objects.filter(latest_check=OuterRef("pk"))
    old = DownloadCheck.objects.filter(Q(checked_at__lt=cutoff)).exclude(Exists(latest))
    deleted, _ = old.delete()
    return deleted

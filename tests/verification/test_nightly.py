"""Acceptance 3: the nightly round over the real catalog, against fake hosts that answer every
URL of it: at most HMR_VERIFY_HOST_CONCURRENCY requests in flight per host (counted at the
fake), and a second round within the freshness window checks nothing again."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.core import clock
from apps.verification import selectors, services, tasks
from apps.verification.models import DownloadCheck, DownloadTarget
from apps.verification.targets import TargetSpec
from tests.verification.helpers import check

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog_urls(imported, files):
    specs = list(dict.fromkeys(s for each in selectors.catalog_specs().values() for s in each))
    files.serve_specs(specs)
    return specs


def test_the_nightly_round_keeps_to_the_host_limits_and_skips_what_is_fresh(
    catalog_urls, files, settings, frozen_clock
):
    settings.HMR_VERIFY_HOST_CONCURRENCY = 2
    settings.HMR_VERIFY_WORKERS = 8
    settings.HMR_VERIFY_SLICE_SIZE = 40
    files.delay = 0.01  # each answer takes a moment, so requests overlap for real
    hosts = {s.host for s in catalog_urls}
    assert {"huggingface.co", "github.com", "civitai.com"} <= hosts  # the real data's hosts

    summary = tasks.nightly()

    slices = -(-len(catalog_urls) // 40)
    spread = min(
        settings.HMR_VERIFY_NIGHTLY_SPREAD_MINUTES * 60 / slices, 1800
    )  # over the night, 30 min at most
    assert summary == {
        "queued": len(catalog_urls),
        "slices": slices,
        "seconds_between_slices": round(spread, 1),
        "fresh": 0,
        "already_queued": 0,
        "purged": 0,
    }
    checks = DownloadCheck.objects.all()
    assert checks.count() == len(catalog_urls) == DownloadTarget.objects.count()
    assert {c.outcome for c in checks} == {"ok"}, [c.reason for c in checks if c.outcome != "ok"][:3]
    assert {c.trigger for c in checks} == {"nightly"}
    first_asks = [s for s in files.seen if s.url in {spec.url for spec in catalog_urls}]
    assert sorted(s.url for s in first_asks if s.method == "HEAD") == sorted(
        spec.url for spec in catalog_urls
    )
    # The limit holds for every host, and binds where there is enough work to overlap.
    assert max(files.most_in_flight.values()) <= 2, dict(files.most_in_flight)
    assert files.most_in_flight["huggingface.co"] == 2
    assert files.most_in_flight["cdn-lfs-us-1.hf.co"] == 2
    assert not DownloadTarget.objects.filter(requested_at__isnull=False).exists()

    # Later the same day: everything is fresh, nothing is asked again.
    requests_so_far = len(files.seen)
    clock.freeze(frozen_clock + timedelta(hours=settings.HMR_VERIFY_FRESH_HOURS - 1))
    again = tasks.nightly()
    assert again == {
        "queued": 0,
        "slices": 0,
        "seconds_between_slices": None,
        "fresh": len(catalog_urls),
        "already_queued": 0,
        "purged": 0,
    }
    assert len(files.seen) == requests_so_far
    assert DownloadCheck.objects.count() == len(catalog_urls)

    # The next night everything is due again.
    clock.freeze(frozen_clock + timedelta(hours=settings.HMR_VERIFY_FRESH_HOURS + 1))
    settings.HMR_VERIFY_SLICE_SIZE = 1000
    assert tasks.nightly()["queued"] == len(catalog_urls)
    assert DownloadCheck.objects.count() == 2 * len(catalog_urls)


def test_old_checks_are_forgotten_but_each_urls_latest_is_kept(files, frozen_clock, settings):
    settings.HMR_VERIFY_HISTORY_DAYS = 30
    old = files.file("https://github.com/a/releases/download/v1/old.pth", size=10)
    kept = files.file("https://github.com/a/releases/download/v1/kept.pth", size=10)
    clock.freeze(frozen_clock - timedelta(days=40))
    check(TargetSpec(old), TargetSpec(kept))
    clock.freeze(frozen_clock - timedelta(days=35))
    check(TargetSpec(old))
    clock.freeze(frozen_clock)
    check(TargetSpec(old))
    assert DownloadCheck.objects.count() == 4
    assert services.download_history_purge() == 2  # old's two older checks; kept's only check stays
    remaining = sorted((c.target.url, c.checked_at.date().isoformat()) for c in DownloadCheck.objects.all())
    assert remaining == [
        (kept, (frozen_clock - timedelta(days=40)).date().isoformat()),
        (old, frozen_clock.date().isoformat()),
    ]

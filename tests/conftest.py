"""Shared fixtures: the real legacy data (read-only, from ../shared), a pinned clock, a clean cache,
an export directory per test."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from apps.audit.models import AuditEvent
from apps.audit.services import Actor
from apps.core import clock

FROZEN_AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture(scope="session")
def legacy_dir() -> Path:
    """The real legacy files. Tests only read them; a copy is made where a test must edit one."""
    path = Path(settings.HMR_LEGACY_DATA_DIR)
    if not (path / "image" / "stable_diffusion.json").is_file():
        pytest.fail(f"The legacy data is missing at {path}; set HMR_LEGACY_DATA_DIR to ../shared/data/legacy")
    return path


@pytest.fixture(scope="session")
def legacy_history_dir() -> Path:
    """Earlier real states of the legacy repos (`2024-spring/`, `2025-autumn/`), read in place."""
    path = Path(settings.HMR_LEGACY_HISTORY_DIR)
    if not (path / "README.md").is_file():
        pytest.fail(f"The legacy history is missing at {path}; set HMR_LEGACY_HISTORY_DIR")
    return path


@pytest.fixture
def legacy_copy(legacy_dir, tmp_path) -> Path:
    """A writable copy of the legacy directory, for tests that break a file on purpose."""
    target = tmp_path / "legacy"
    shutil.copytree(legacy_dir, target)
    for path in target.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return target


@pytest.fixture(scope="session", autouse=True)
def revision_watcher_stopped_at_the_end(django_db_setup):
    """The revision watcher's thread resyncs from the database now and then; stop it before the
    test database is dropped (its query would fail and log into a closed stream)."""
    yield
    from apps.catalog.revisions import watcher

    watcher.stop()


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.freeze(FROZEN_AT)
    yield FROZEN_AT
    clock.freeze(None)


@pytest.fixture(autouse=True)
def export_dir(settings, tmp_path) -> Path:
    """Each test exports into its own directory (imports queue exports after commit)."""
    settings.HMR_EXPORT_DIR = tmp_path / "export"
    return settings.HMR_EXPORT_DIR


@pytest.fixture(autouse=True)
def clean_cache():
    """Each test starts with an empty cache and no document, revision, hot response, catalog page or
    AI-Horde breaker state held in memory. (A test database is emptied between tests, so
    revision numbers start again: a response the hot path kept from an earlier test could
    otherwise look current.)"""
    from apps.api import hot
    from apps.api.statistics.responses import responses_forget
    from apps.catalog import documents
    from apps.horde.breaker import breaker_forget_local
    from apps.site import caching

    def forget():
        cache.clear()
        documents.documents_forget()
        hot.store.clear()
        caching.store.clear()
        responses_forget()
        breaker_forget_local()  # the AI-Horde breaker keeps a copy in this process too

    forget()
    yield
    forget()


@pytest.fixture
def import_actor() -> Actor:
    return Actor(origin=AuditEvent.Origin.IMPORT, name="test import")


@pytest.fixture
def imported(db, legacy_dir, import_actor):
    """The catalog loaded from the real legacy data."""
    from apps.catalog.imports import import_references

    report, _ = import_references(actor=import_actor, legacy_dir=legacy_dir)
    return report


# --- Identity: a fake AI-Horde and role personas (tests/fake_horde.py) ---------------------------


@pytest.fixture
def horde(settings):
    """The fake AI-Horde; every outgoing HTTP call of the test (and its live server) goes to it."""
    import responses

    from tests.fake_horde import FakeHorde

    settings.HMR_AI_HORDE_URL = "https://aihorde.net/api/"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield FakeHorde(mock)


@pytest.fixture
def usage_snapshot(imported, horde):
    """The real catalog with an AI-Horde usage snapshot taken from the realistic fake payloads."""
    from apps.analytics.services import usage_refresh
    from tests.analytics.horde_payloads import PAYLOADS

    horde.serve_usage(PAYLOADS)
    outcomes = usage_refresh()
    assert [o.result for o in outcomes] == ["refreshed", "refreshed"], outcomes
    return horde


DEMO_USAGE = {
    "status/image": [
        {"name": "Demo Realism", "count": 3, "performance": 1.0, "queued": 0, "jobs": 0, "eta": 0}
    ],
    "stats/image": {
        "day": {"Demo Realism": 5},
        "month": {"Demo Realism": 50},
        "total": {"Demo Realism": 500},
    },
    "workers/image": [],
    "status/text": [],
    "stats/text": {"day": {}, "month": {}, "total": {}},
    "workers/text": [],
}


@pytest.fixture
def demo_usage(db, import_actor, horde):
    """The small demo catalog, and a fake AI-Horde that serves one of its models (not refreshed yet)."""
    from apps.catalog.imports import import_references
    from apps.catalog.sources import DEMO_DIR

    import_references(actor=import_actor, legacy_dir=DEMO_DIR)
    horde.serve_usage(DEMO_USAGE)
    return horde


@pytest.fixture
def grants(db):
    """The usual roles: REQUESTOR is a requestor, APPROVER an approver, READER holds nothing."""
    from apps.accounts.services import role_grant_create
    from tests.fake_horde import APPROVER, REQUESTOR

    return [
        role_grant_create(horde_user_id=REQUESTOR.user_id, role="requestor", granted_by="test"),
        role_grant_create(horde_user_id=APPROVER.user_id, role="approver", granted_by="test"),
    ]


# --- File hosts: no DNS, and fake hosts at the HTTP level (tests/fake_files.py) ------------------


@pytest.fixture(autouse=True)
def dns(monkeypatch):
    """Download checks resolve host names here: nothing resolves unless a test registers it, so
    no test ever reaches the network (a proposal with a download URL is checked at once)."""
    from tests.fake_files import FakeDns

    fake = FakeDns()
    monkeypatch.setattr("apps.verification.addresses.getaddrinfo", fake.getaddrinfo)
    return fake


@pytest.fixture
def files(horde, dns):
    """Fake file hosts (Hugging Face, a CDN, civitai, …) on the fake AI-Horde's `responses` mock."""
    from tests.fake_files import FakeFileHosts

    return FakeFileHosts(horde.mock, dns)


# --- Headless Chromium (tests/browser.py) --------------------------------------------------------

from tests.browser import browser, site  # noqa: E402, F401  (fixtures)

"""Fixtures of the background-work tests: data edits, a fake GitHub, subprocesses on the test database."""

from __future__ import annotations

import copy
import os
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import responses

from apps.catalog import sources
from apps.catalog.categories import CATEGORIES, Category, Repo
from apps.catalog.formats import bundle
from apps.catalog.services import catalog_import
from tests.sync.fake_github import API, FakeRepo

IMAGE_REPO = "Haidra-Org/AI-Horde-image-model-reference"
TEXT_REPO = "Haidra-Org/AI-Horde-text-model-reference"


@pytest.fixture(scope="session")
def parsed_legacy(legacy_dir):
    files = sources.read_legacy_dir(legacy_dir)
    return bundle.parse_legacy_files(files.image, files.text)


@pytest.fixture
def imported_image(db, parsed_legacy, import_actor):
    """The image-repo categories of the real legacy data (faster than `imported`: no text models)."""
    image = [p for p in parsed_legacy if CATEGORIES[p.category].repo == Repo.IMAGE]
    return catalog_import(parsed=copy.deepcopy(image), actor=import_actor)


@pytest.fixture
def edit(parsed_legacy, import_actor):
    """edit(category, {name: {field: value}}, add=[names]): import the category's real data with
    those records changed (and copies of its first record added under new names)."""

    def apply(category: Category, changes: dict[str, dict] | None = None, *, add: tuple[str, ...] = ()):
        item = copy.deepcopy(next(p for p in parsed_legacy if p.category == category))
        for name in add:
            data = {k: v for k, v in item.records[0].data.items() if k != "legacy"}
            item.records.append(bundle.ParsedRecord(name, {**data, "name": name}))
        for record in item.records:
            record.data.update((changes or {}).get(record.name, {}))
        return catalog_import(parsed=[item], actor=import_actor)

    return apply


@pytest.fixture
def github(settings, legacy_dir):
    """Both legacy repositories on a fake GitHub holding the real legacy files."""
    settings.HMR_REPLICATE_MODE = "PRIMARY"
    settings.HMR_GITHUB_API_URL = API
    settings.HMR_GITHUB_TOKEN = "test-token"
    settings.HMR_GITHUB_APP_ID = ""
    settings.HMR_IMAGE_REPO, settings.HMR_IMAGE_BRANCH = IMAGE_REPO, "main"
    settings.HMR_TEXT_REPO, settings.HMR_TEXT_BRANCH = TEXT_REPO, "main"
    settings.HMR_GITHUB_SYNC_BRANCH = "hmr/sync"
    settings.HMR_GITHUB_PR_LABELS = ["automated", "sync"]
    settings.HMR_GITHUB_PR_REVIEWERS = ["a-maintainer"]
    settings.HMR_GITHUB_PR_TEAM_REVIEWERS = []
    image = FakeRepo(IMAGE_REPO, {p.name: p.read_bytes() for p in (legacy_dir / "image").iterdir()})
    text = FakeRepo(TEXT_REPO, {p.name: p.read_bytes() for p in (legacy_dir / "text").iterdir()})
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        image.register(rsps)
        text.register(rsps)
        yield SimpleNamespace(image=image, text=text, rsps=rsps)


ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def process_env(transactional_db, export_dir):
    """Environment for a `manage.py` or `celery` subprocess on this test's (committed) database."""
    from django.db import connection

    env = {k: v for k, v in os.environ.items() if not k.startswith(("HMR_", "CELERY_", "PYTEST_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="hmr_site.settings.base",
        DEBUG="false",
        SECRET_KEY="test-secret-key",
        ALLOWED_HOSTS="localhost",
        # The test database pytest-django created, reached with the suite's own credentials.
        DATABASE_URL=urlsplit(os.environ["DATABASE_URL"])
        ._replace(path=f"/{connection.settings_dict['NAME']}")
        .geturl(),
        REDIS_URL="",
        CACHE_URL="",
        HMR_EXPORT_DIR=str(export_dir),
        LOG_LEVEL="INFO",
    )
    return env


def wait_for(predicate, *, timeout: float = 30, what: str = "a condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")

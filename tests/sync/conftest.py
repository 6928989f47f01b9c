"""Fixtures of the background-work tests: data edits, subprocesses on the test database."""

from __future__ import annotations

import copy
import os
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from apps.catalog import sources
from apps.catalog.categories import CATEGORIES, Category, Repo
from apps.catalog.formats import bundle
from apps.catalog.services import catalog_import


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

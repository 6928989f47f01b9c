"""Fixtures of the library's own tests: the fake HMR server (fake_hmr.py) and fresh managers."""

from __future__ import annotations

import pytest
from fake_hmr import FakeHMR
from hmr_client import ModelReferenceManager


@pytest.fixture
def fake():
    server = FakeHMR()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def no_manager_left():
    ModelReferenceManager.reset()
    yield
    ModelReferenceManager.reset()


@pytest.fixture
def manager_for(fake, tmp_path):
    def make(**settings):
        settings.setdefault("cache_dir", tmp_path / "cache")
        return ModelReferenceManager(fake.url, **settings)

    return make

"""Helpers of the public catalog tests: the real legacy files read on their own (the expected
records are computed from them, never from our database), and what a page lists."""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

import pytest

from apps.catalog.imports import import_references
from apps.catalog.sources import DEMO_DIR

NAME_ATTRIBUTE = re.compile(r'data-name="([^"]*)"')
GROUP_ATTRIBUTE = re.compile(r'data-group="([^"]*)"')


def names_on(response) -> list[str]:
    """The records a category page lists, in order (cards, table rows or group members)."""
    assert response.status_code == 200, response.content.decode()[:400]
    return [html.unescape(n) for n in NAME_ATTRIBUTE.findall(response.content.decode())]


def groups_on(response) -> list[str]:
    return [html.unescape(n) for n in GROUP_ATTRIBUTE.findall(response.content.decode())]


@pytest.fixture(scope="session")
def legacy_image(legacy_dir: Path) -> list[dict]:
    """stable_diffusion.json's records in file order."""
    return list(json.loads((legacy_dir / "image" / "stable_diffusion.json").read_text()).values())


@pytest.fixture(scope="session")
def legacy_text(legacy_dir: Path) -> list[dict]:
    """models.csv's rows, one per name in the place of its first row, with the last row's values
    (as the text repo's convert.py reads a repeated name)."""
    rows: dict[str, dict] = {}
    with (legacy_dir / "text" / "models.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            rows[row["name"]] = row
    return list(rows.values())


def by_name(names) -> list[str]:
    """Name order as the catalog sorts "Name, A to Z": case-insensitive, code point order."""
    return sorted(names, key=str.lower)


@pytest.fixture
def catalog(db, import_actor):
    """The small demo catalog, for tests where the real data is not the point."""
    report, _ = import_references(actor=import_actor, legacy_dir=DEMO_DIR)
    return report

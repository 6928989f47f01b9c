"""hmr_client's `get_popular_models`: the server's AI-Horde usage snapshot, not AI-Horde itself."""

from __future__ import annotations

import asyncio

import pytest
from hmr_client import ServerError

from apps.analytics.models import RecordUsage
from apps.analytics.services import usage_refresh
from tests.analytics.horde_payloads import PAYLOADS


def _refresh(horde) -> None:
    """A usage snapshot of the live server's catalog, from the realistic fake AI-Horde payloads."""
    horde.serve_usage(PAYLOADS)
    assert [o.result for o in usage_refresh()] == ["refreshed", "refreshed"]


def test_popular_models_rank_the_snapshot_and_ask_ai_horde_nothing(live_hmr, manager_for, horde):
    manager = manager_for()
    with pytest.raises(ServerError) as before:
        manager.get_popular_models_sync("image_generation")
    assert before.value.status == 503  # no snapshot yet: the server says so

    _refresh(horde)
    asked = horde.calls
    by_month = list(
        RecordUsage.objects.filter(category="image_generation")
        .order_by("-usage_month", "record__position")
        .values_list("record__name", "usage_month", "usage_day", "usage_total")[:3]
    )
    results = asyncio.run(manager.get_popular_models("image_generation", limit=3, sort_by="usage_month"))
    assert [(r.name, r.stats.usage_stats.month) for r in results] == [(n, m) for n, m, _, _ in by_month]
    assert [(r.stats.usage_stats.day, r.stats.usage_stats.total) for r in results] == [
        (d, t) for _, _, d, t in by_month
    ]
    first = manager.get_model("image_generation", by_month[0][0])
    assert results[0].record["name"] == first.name and results[0].record["baseline"] == first.baseline
    assert manager.get_popular_models_sync("image_generation", limit=3, sort_by="usage_month") == results
    assert manager.get_popular_models_sync("clip") == []  # AI-Horde serves no clip models
    assert horde.calls == asked  # the client and the server read the snapshot only


def test_popular_models_refuse_what_the_server_would(manager_for, live_hmr):
    manager = manager_for()
    with pytest.raises(ValueError, match="sort_by must be one of worker_count, usage_day"):
        manager.get_popular_models_sync("image_generation", sort_by="name")
    with pytest.raises(ValueError, match="limit must be between 1 and 100"):
        manager.get_popular_models_sync("image_generation", limit=0)
    assert live_hmr.log.requests() == []  # refused before any request

"""The AI-Horde usage calls: typed and lenient parsing, retries with backoff, the circuit breaker
shared through the cache (with a per-process fallback) and what the heartbeat says about it."""

from datetime import timedelta

import pytest
from django.core.cache import cache

from apps.core import clock
from apps.horde import breaker, client
from tests.analytics.horde_payloads import PAYLOADS, STATUS_TEXT, WORKERS_IMAGE
from tests.fake_horde import CONNECTION_ERROR, TIMEOUT


@pytest.fixture
def usage(horde):
    horde.serve_usage(PAYLOADS)
    return horde


def test_status_models_are_typed_and_ask_for_every_model_state(usage, settings):
    statuses = client.status_models(kind="text")
    assert [s.name for s in statuses] == [entry["name"] for entry in STATUS_TEXT]
    magnum = statuses[1]
    assert magnum == client.ModelStatus(
        name="koboldcpp/magnum-v4-12b", count=5, performance=14.1, queued=1800.0, jobs=3.0, eta=9
    )
    assert usage.usage_calls() == ["status/models?type=text&model_state=all"]
    (call,) = usage.mock.calls
    assert call.request.req_kwargs["timeout"] == (
        settings.HMR_AI_HORDE_CONNECT_TIMEOUT_SECONDS,
        settings.HMR_AI_HORDE_USAGE_READ_TIMEOUT_SECONDS,
    )


def test_stats_and_workers_are_typed(usage):
    stats = client.model_stats(kind="image")
    assert stats.month["AlbedoBase XL (SDXL)"] == 702113 and stats.day["Dreamshaper"] == 0
    workers = client.workers(kind="image")
    first = WORKERS_IMAGE[0]
    assert workers[0] == client.Worker(
        id=first["id"],
        name=first["name"],
        models=tuple(first["models"]),
        performance="0.4 megapixelsteps per second",
        online=True,
        trusted=True,
        nsfw=False,
        uptime=86400,
        bridge_agent=first["bridge_agent"],
    )
    assert usage.usage_calls() == ["stats/img/models?model_state=all", "workers?type=image"]


def test_parsing_is_lenient_with_numbers_and_odd_entries(usage):
    usage.serve_usage(
        {
            "status/image": [
                {"name": "A", "count": "3", "performance": "1.5", "queued": 0.0, "jobs": 2.0, "eta": None},
                {"name": "", "count": 1},
                "garbage",
                {"count": 4},
            ],
            "workers/image": [{"id": "w1", "models": ["A", 7]}, {"name": "no id"}],
            "stats/image": {"day": {"A": 1.0}, "month": "nope"},
        }
    )
    assert client.status_models(kind="image") == [client.ModelStatus("A", 3, 1.5, 0.0, 2.0, None)]
    assert client.workers(kind="image") == [client.Worker(id="w1", name="", models=("A",))]
    assert client.model_stats(kind="image") == client.ModelStats(day={"A": 1}, month={}, total={})


def test_a_transient_failure_is_retried_and_a_success_resets_the_count(usage):
    usage.fail_next_usage(503, 429)
    assert len(client.status_models(kind="image")) == len(PAYLOADS["status/image"])
    assert usage.usage_calls() == ["status/models?type=image&model_state=all"] * 3
    state = breaker.breaker_state()
    assert state.consecutive_failures == 0 and state.last_success == clock.now().timestamp()


def test_backoff_grows_and_honours_retry_after_up_to_the_cap(settings, monkeypatch):
    settings.HMR_AI_HORDE_RETRY_BASE_SECONDS, settings.HMR_AI_HORDE_RETRY_MAX_SECONDS = 1, 15
    slept = []
    monkeypatch.setattr(client.time, "sleep", slept.append)
    monkeypatch.setattr(client.random, "uniform", lambda low, high: high)  # the longest jitter
    for attempt in (1, 2, 3, 5, 9):
        client._pause(attempt, None)
    client._pause(1, 60)  # 429 Retry-After: 60 s, capped
    assert slept == [1, 2, 4, 15, 15, 15]


@pytest.mark.parametrize("failure", [503, 500, 429, TIMEOUT, CONNECTION_ERROR])
def test_transient_failures_are_tried_three_times_then_count_one_failure(usage, failure):
    usage.fail_usage_with(failure)
    with pytest.raises(client.HordeError):
        client.model_stats(kind="text")
    assert usage.usage_calls() == ["stats/text/models?model_state=all"] * 3
    state = breaker.breaker_state()
    assert state.consecutive_failures == 1 and not state.is_open(clock.now().timestamp())
    assert "stats/text/models" in state.last_error


def test_other_client_errors_are_not_retried(usage):
    usage.fail_usage_with(404)
    with pytest.raises(client.HordeRejected) as raised:
        client.workers(kind="text")
    assert raised.value.status == 404 and len(usage.mock.calls) == 1


def test_five_failed_calls_open_the_breaker_and_calls_are_refused_without_network(usage, client_http):
    usage.fail_usage_with(503)
    for _ in range(5):
        with pytest.raises(client.HordeRejected):
            client.status_models(kind="image")
    assert len(usage.mock.calls) == 15
    with pytest.raises(client.HordeCircuitOpen, match=r"open \(retry in 120s\)"):
        client.status_models(kind="image")
    assert len(usage.mock.calls) == 15  # refused without a call
    beat = client_http.get("/api/heartbeat").json()["ai_horde"]
    assert beat == {
        "degraded": True,
        "consecutive_failures": 5,
        "seconds_until_retry": 120.0,
        "last_success": None,
    }


def test_after_the_cooldown_a_probe_goes_out_and_a_failed_probe_reopens(usage, client_http):
    usage.fail_usage_with(CONNECTION_ERROR)
    for _ in range(5):
        with pytest.raises(client.HordeUnavailable):
            client.status_models(kind="text")
    clock.freeze(clock.now() + timedelta(seconds=90))
    assert client_http.get("/api/heartbeat").json()["ai_horde"]["seconds_until_retry"] == 30.0
    clock.freeze(clock.now() + timedelta(seconds=31))
    with pytest.raises(client.HordeUnavailable):
        client.status_models(kind="text")  # the probe
    assert len(usage.mock.calls) == 18
    beat = client_http.get("/api/heartbeat").json()["ai_horde"]
    assert (
        beat["degraded"] is True
        and beat["consecutive_failures"] == 6
        and beat["seconds_until_retry"] == 120.0
    )
    clock.freeze(clock.now() + timedelta(seconds=121))
    usage.fail_usage_with(None)
    client.status_models(kind="text")
    assert client_http.get("/api/heartbeat").json()["ai_horde"] == {
        "degraded": False,
        "consecutive_failures": 0,
        "seconds_until_retry": None,
        "last_success": int(clock.now().timestamp()),
    }


def test_the_state_is_shared_through_the_cache(usage):
    usage.fail_usage_with(503)
    with pytest.raises(client.HordeRejected):
        client.status_models(kind="image")
    breaker._local = breaker.BreakerState()  # another process: nothing in its own memory
    assert breaker.breaker_state().consecutive_failures == 1
    assert cache.get(breaker.CACHE_KEY)["consecutive_failures"] == 1


def test_without_a_working_cache_each_process_keeps_its_own_state(usage, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(breaker.cache, "get", broken)
    monkeypatch.setattr(breaker.cache, "set", broken)
    usage.fail_usage_with(503)
    for _ in range(5):
        with pytest.raises(client.HordeRejected):
            client.status_models(kind="image")
    with pytest.raises(client.HordeCircuitOpen):
        client.status_models(kind="image")
    assert breaker.breaker_state().consecutive_failures == 5


@pytest.fixture
def client_http(client, db):
    return client

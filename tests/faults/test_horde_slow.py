"""AI-Horde slow, beyond the timeouts: it accepts the connection and does not answer.

Against HMR's production server (granian, one process with the Dockerfile's two request threads,
on a private PostgreSQL) and a fake AI-Horde over real HTTP (tests/faults/horde_server.py):
- a burst of authenticated writes whose keys need a look-up: each is answered 503 "Auth service
  timed out" within the read timeout (plus a margin); only one look-up reaches AI-Horde, the rest
  are refused at once (HMR_AI_HORDE_LOOKUPS_PER_PROCESS, HMR_AI_HORDE_LOOKUP_WAIT_SECONDS);
- meanwhile the heartbeat, public reads and a write by a key already known (cached) answer
  quickly: no request thread is stuck on AI-Horde;
- once AI-Horde is fast again, the same keys work without a restart;
- and while AI-Horde is only slower than usual (within the wait), concurrent look-ups all go
  through: the limit refuses nobody then.
In the test process, the analytics refresh (the Celery task's function) with AI-Horde slow
finishes within its bound (categories x attempts x usage read timeout), keeps no snapshot, records
the error the curation dashboard shows, opens the breaker (the next refresh asks nothing and
takes no time), and refreshes again once the cooldown is over and AI-Horde answers.
"""

import threading
import time
from datetime import timedelta

import pytest
import requests
from django.conf import settings
from django.contrib.auth import get_user_model

from apps.accounts.errors import AUTH_TIMED_OUT
from apps.analytics.categories import LIVE_CATEGORIES
from apps.analytics.models import UsageSnapshot
from apps.analytics.tasks import refresh_usage as usage_refresh
from apps.core import clock
from tests.conftest import FROZEN_AT
from tests.fake_horde import APPROVER, READER, REQUESTOR
from tests.faults.horde_server import SlowHordeServer
from tests.faults.servers import PrivatePostgres, free_port, kill_server, manage, server_env, start_server

V2 = "/api/model_references/v2"
READ_TIMEOUT = 2.0  # HMR_AI_HORDE_READ_TIMEOUT_SECONDS of the server (10 by default)
LOOKUP_WAIT = 0.5  # HMR_AI_HORDE_LOOKUP_WAIT_SECONDS, its default
MARGIN = 1.0  # seconds of HMR's own work and this machine's scheduling
# docker/Dockerfile's limits: two request threads per process, 256 connections.
PRODUCTION_THREADS = ("--no-ws", "--blocking-threads", "2", "--backpressure", "256")
PUBLIC = ["/api/heartbeat", f"{V2}/blip", "/api/model_references/v1/stable_diffusion"]


@pytest.fixture(scope="module")
def stack(legacy_dir):
    postgres, horde = PrivatePostgres(), SlowHordeServer()
    postgres.start()
    postgres.create_database()
    env = server_env(
        postgres.url,
        settings.CACHES["documents"]["LOCATION"],
        horde.url,
        HMR_AI_HORDE_READ_TIMEOUT_SECONDS=str(READ_TIMEOUT),
        HMR_THROTTLE_KEY_LOOKUP_RATE="1000/minute",  # the burst comes from one address
    )
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "import_references", "--legacy", str(legacy_dir), "-v0")
    manage(env, "seed_roles")
    port = free_port()
    server = start_server(env, port, options=PRODUCTION_THREADS)
    try:
        yield horde, f"http://127.0.0.1:{port}"
    finally:
        kill_server(server)
        horde.close()
        postgres.remove()


def timed(method: str, url: str, **kwargs) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = requests.request(method, url, timeout=30, **kwargs)
    return response, time.monotonic() - started


def propose(base: str, apikey: str, name: str) -> tuple[requests.Response, float]:
    body = {"name": name, "config": {"download": []}}
    return timed("POST", f"{base}{V2}/blip/add", json=body, headers={"apikey": apikey})


def test_slow_ai_horde_bounded_auth_errors_and_no_request_thread_stuck(stack):
    horde, base = stack
    known, took = propose(base, REQUESTOR.apikey, "BEFORE_THE_FAULT")  # the key is cached now
    assert known.status_code == 202
    before = {path: requests.get(f"{base}{path}", timeout=10).content for path in PUBLIC[1:]}

    horde.slow(60)  # far beyond every timeout
    asked_before = horde.count("find_user")
    burst = [APPROVER.apikey, *(f"not-cached-key-{i:04}" for i in range(5))]
    answers: dict[str, tuple[requests.Response, float]] = {}

    def write(apikey: str) -> None:
        answers[apikey] = propose(base, apikey, "DURING_THE_FAULT")

    writers = [threading.Thread(target=write, args=(key,)) for key in burst]
    for writer in writers:
        writer.start()
    deadline = time.monotonic() + 5
    while horde.in_flight == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert horde.in_flight == 1  # one look-up is waiting on AI-Horde now
    during = {path: timed("GET", f"{base}{path}") for path in PUBLIC}
    cached, cached_took = propose(base, REQUESTOR.apikey, "CACHED_KEY_DURING_THE_FAULT")
    for writer in writers:
        writer.join()

    # What the other clients saw while the look-up was pending: quick answers, the same bytes.
    assert {path: r.status_code for path, (r, _) in during.items()} == dict.fromkeys(PUBLIC, 200)
    assert {path: r.content for path, (r, _) in during.items() if path in before} == before
    assert max(t for _, t in during.values()) < LOOKUP_WAIT + MARGIN
    assert during["/api/heartbeat"][0].json()["status"] == "ok"
    assert (cached.status_code, cached_took < LOOKUP_WAIT + MARGIN) == (202, True)
    # What the burst saw: the upstream message, in bounded time, and AI-Horde asked only once.
    assert {key: (r.status_code, r.json()) for key, (r, _) in answers.items()} == dict.fromkeys(
        burst, (503, {"detail": AUTH_TIMED_OUT})
    )
    assert max(t for _, t in answers.values()) < READ_TIMEOUT + MARGIN
    assert horde.count("find_user") - asked_before == 1
    assert sorted(t for _, t in answers.values())[-2] < LOOKUP_WAIT + MARGIN  # all but the asker

    # After the fault: the threads are free, and AI-Horde is asked again (no restart).
    horde.fast()
    heartbeat, took = timed("GET", f"{base}/api/heartbeat")
    assert (heartbeat.status_code, took < MARGIN) == (200, True)
    recovered, took = propose(base, APPROVER.apikey, "AFTER_THE_FAULT")
    assert (recovered.status_code, took < MARGIN) == (202, True)
    queue = requests.get(f"{base}{V2}/pending_queue/changes", headers={"apikey": APPROVER.apikey}, timeout=10)
    names = sorted(c["model_name"] for c in queue.json()["items"])
    assert names == ["AFTER_THE_FAULT", "BEFORE_THE_FAULT", "CACHED_KEY_DURING_THE_FAULT"]


def test_look_ups_slower_than_usual_but_within_the_wait_all_go_through(stack):
    """The limit of one look-up per process refuses nobody while AI-Horde answers within the wait."""
    horde, base = stack
    horde.slow(LOOKUP_WAIT / 3)
    asked_before = horde.count("find_user")
    keys = {APPROVER.apikey: 202, REQUESTOR.apikey: 202, READER.apikey: 403, "not-a-user-key-0001": 401}
    answers: dict[str, requests.Response] = {}

    def write(apikey: str) -> None:
        answers[apikey] = propose(base, apikey, "SLOWER_THAN_USUAL")[0]

    writers = [threading.Thread(target=write, args=(key,)) for key in keys]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    horde.fast()

    assert {key: r.status_code for key, r in answers.items()} == keys
    assert horde.count("find_user") - asked_before == len(keys)


@pytest.mark.django_db
def test_slow_ai_horde_the_usage_refresh_ends_in_bounded_time_with_its_error_recorded(settings, client):
    horde = SlowHordeServer()
    settings.HMR_AI_HORDE_URL = horde.url
    settings.HMR_AI_HORDE_USAGE_READ_TIMEOUT_SECONDS = 1.0
    settings.HMR_AI_HORDE_ATTEMPTS = 2  # test settings: no pause between attempts
    settings.HMR_AI_HORDE_BREAKER_FAILURES = len(LIVE_CATEGORIES)
    settings.HMR_AI_HORDE_BREAKER_COOLDOWN_SECONDS = 120
    timed_out = "AI-Horde did not answer v2/status/models in time"
    horde.slow(60)
    try:
        started = time.monotonic()
        result = usage_refresh()
        took = time.monotonic() - started

        # Each category: its first call, every attempt timed out; then the category gives up.
        assert result == {c.value: {"result": "failed", "error": timed_out} for c in LIVE_CATEGORIES}
        bound = len(LIVE_CATEGORIES) * settings.HMR_AI_HORDE_ATTEMPTS * 1.0
        assert bound <= took < bound + MARGIN
        assert horde.requests == ["v2/status/models"] * len(LIVE_CATEGORIES) * settings.HMR_AI_HORDE_ATTEMPTS
        snapshots = UsageSnapshot.objects.order_by("category").values_list(
            "category", "as_of", "attempted_at", "last_error"
        )
        assert list(snapshots) == [(c.value, None, FROZEN_AT, timed_out) for c in LIVE_CATEGORIES]
        client.force_login(get_user_model().objects.create_superuser("moderator", "", "pw"))
        dashboard = client.get("/admin/analytics/usagesnapshot/").content.decode()
        assert f"the last refresh failed: {timed_out}" in dashboard
        heartbeat = client.get("/api/heartbeat").json()["ai_horde"]
        assert (heartbeat["degraded"], heartbeat["consecutive_failures"]) == (True, len(LIVE_CATEGORIES))

        # The breaker is open: the next refresh asks nothing and costs no time.
        started = time.monotonic()
        result = usage_refresh()
        assert time.monotonic() - started < MARGIN
        refused = "AI-Horde circuit breaker is open (retry in 120s)"
        assert result == {c.value: {"result": "failed", "error": refused} for c in LIVE_CATEGORIES}
        assert len(horde.requests) == len(LIVE_CATEGORIES) * settings.HMR_AI_HORDE_ATTEMPTS

        horde.fast()
        clock.freeze(FROZEN_AT + timedelta(seconds=121))  # the cooldown is over: a probe goes out
        result = usage_refresh()
        assert {c: r["result"] for c, r in result.items()} == dict.fromkeys(
            (c.value for c in LIVE_CATEGORIES), "refreshed"
        )
        assert set(UsageSnapshot.objects.values_list("last_error", flat=True)) == {None}
        assert client.get("/api/heartbeat").json()["ai_horde"]["degraded"] is False
    finally:
        horde.close()

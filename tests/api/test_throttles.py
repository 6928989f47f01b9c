"""Throttles on the Redis cache: writes per AI-Horde user, AI-Horde look-ups per client IP."""

import pytest

from tests.fake_horde import APPROVER, REQUESTOR

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.guarded_urls")]


@pytest.fixture
def rates(settings):
    def set_rates(**rates):
        current = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {**current, **rates},
        }

    return set_rates


def post(client, apikey, path="requestor", ip="10.0.0.1"):
    return client.post(f"/guarded/{path}", headers={"apikey": apikey}, REMOTE_ADDR=ip)


def test_writes_are_limited_per_ai_horde_user(client, horde, grants, rates):
    rates(horde_write="2/minute")
    assert [post(client, REQUESTOR.apikey).status_code for _ in range(2)] == [202, 202]
    refused = post(client, REQUESTOR.apikey)
    assert (refused.status_code, refused.json()) == (
        429,
        {"detail": "Request was throttled. Expected available in 60 seconds."},
    )
    assert refused.headers["Retry-After"] == "60"
    assert post(client, REQUESTOR.apikey, ip="10.0.0.2").status_code == 429  # per user, not per address
    assert post(client, APPROVER.apikey).status_code == 202  # another user has their own budget


def test_reads_do_not_count_against_the_write_budget(client, horde, grants, rates):
    rates(horde_write="1/minute")
    for _ in range(3):
        assert client.get("/guarded/reader", headers={"apikey": REQUESTOR.apikey}).status_code == 200
    assert post(client, REQUESTOR.apikey).status_code == 202


def test_key_look_ups_are_limited_per_client_address(client, horde, grants, rates):
    rates(horde_lookup="3/minute")
    statuses = [post(client, f"guessed-key-{n}", path="reader").status_code for n in range(3)]
    assert statuses == [401, 401, 401]
    refused = post(client, "guessed-key-4", path="reader")
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("Request was throttled. Expected available in")
    assert horde.calls == 3  # the fourth key never reached AI-Horde
    assert post(client, "guessed-key-5", path="reader", ip="10.9.9.9").status_code == 401


def test_cached_keys_do_not_count_as_look_ups(client, horde, grants, rates):
    rates(horde_lookup="1/minute")
    for _ in range(5):
        assert client.get("/guarded/reader", headers={"apikey": REQUESTOR.apikey}).status_code == 200
    assert horde.calls == 1


def test_an_open_post_with_a_stray_key_is_neither_throttled_nor_checked(client, horde, grants, rates):
    rates(horde_write="1/minute", horde_lookup="1/minute")
    for apikey in (REQUESTOR.apikey, "not-a-key", "not-a-key-either"):
        response = client.post("/open/post", headers={"apikey": apikey})
        assert (response.status_code, response.json()) == (200, {"ok": True})
    assert horde.calls == 0


def test_a_redis_outage_lets_writes_through_and_keys_still_work(client, horde, grants, rates, settings):
    rates(horde_write="1/minute", horde_lookup="1/minute")
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2, "IGNORE_EXCEPTIONS": True},
        }
    }
    for _ in range(3):
        response = post(client, REQUESTOR.apikey)
        assert (response.status_code, response.json()) == (202, {"by": "1001"})
    assert horde.calls == 3  # nothing could be cached

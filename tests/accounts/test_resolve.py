"""An API key → its AI-Horde user: cached by SHA-256, failures mapped, the key never kept."""

import contextlib
import hashlib
import logging

import pytest
from django.core.cache import cache
from django_redis import get_redis_connection

from apps.accounts.errors import AuthServiceUnavailable, InvalidApiKey
from apps.accounts.services import HordeUser, horde_user_cache_key, horde_user_resolve
from tests.fake_horde import CONNECT_TIMEOUT, CONNECTION_ERROR, REQUESTOR, TIMEOUT, UNKNOWN_KEY


def cache_key(apikey: str) -> str:
    return horde_user_cache_key(hashlib.sha256(apikey.encode()).hexdigest())


def test_a_valid_key_gives_the_user_id_after_the_last_hash(horde):
    horde.users["k"] = "Odd#Name#6572"
    assert horde_user_resolve(apikey="k") == HordeUser(user_id="6572", username="Odd#Name#6572")
    assert horde_user_resolve(apikey=REQUESTOR.apikey) == HordeUser(user_id="1001", username="Requester#1001")


def test_many_requests_with_one_key_ask_ai_horde_once(horde):
    for _ in range(25):
        assert horde_user_resolve(apikey=REQUESTOR.apikey).user_id == "1001"
    assert horde.calls == 1
    assert 55 <= cache.ttl(cache_key(REQUESTOR.apikey)) <= 60  # HMR_AUTH_CACHE_SECONDS


@pytest.mark.parametrize("status", [404, 401, 403])
def test_an_unknown_key_is_invalid_and_cached_for_a_shorter_time(horde, status):
    if status != 404:
        horde.fail_with(status)
    for _ in range(5):
        with pytest.raises(InvalidApiKey) as raised:
            horde_user_resolve(apikey=UNKNOWN_KEY)
    assert (raised.value.status, raised.value.message) == (401, "Invalid API key")
    assert horde.calls == 1
    assert 5 <= cache.ttl(cache_key(UNKNOWN_KEY)) <= 10  # HMR_AUTH_NEGATIVE_CACHE_SECONDS


def test_the_negative_cache_ends_so_a_new_key_works_soon(horde, settings):
    settings.HMR_AUTH_NEGATIVE_CACHE_SECONDS = 3
    with pytest.raises(InvalidApiKey):
        horde_user_resolve(apikey="brand-new-key")
    assert cache.ttl(cache_key("brand-new-key")) <= 3
    cache.delete(cache_key("brand-new-key"))  # what the TTL does
    horde.users["brand-new-key"] = "New#77"
    assert horde_user_resolve(apikey="brand-new-key").user_id == "77"


@pytest.mark.parametrize("username", ["NoHashHere", "", "Trailing#"])
def test_a_username_without_an_id_is_an_invalid_key(horde, username):
    horde.users["k"] = username
    with pytest.raises(InvalidApiKey):
        horde_user_resolve(apikey="k")
    with pytest.raises(InvalidApiKey):
        horde_user_resolve(apikey="k")
    assert horde.calls == 1


@pytest.mark.parametrize("status", [500, 502, 429])
def test_ai_horde_failing_is_a_503_that_is_never_cached(horde, status):
    horde.fail_with(status)
    with pytest.raises(AuthServiceUnavailable) as raised:
        horde_user_resolve(apikey=REQUESTOR.apikey)
    assert (raised.value.status, raised.value.message) == (503, "Auth service unavailable")
    assert cache.get(cache_key(REQUESTOR.apikey)) is None
    horde.fail_with(None)  # AI-Horde recovers: the key works at once
    assert horde_user_resolve(apikey=REQUESTOR.apikey).user_id == "1001"
    assert horde.calls == 2


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        (TIMEOUT, "Auth service timed out"),
        (CONNECT_TIMEOUT, "Auth service timed out"),
        (CONNECTION_ERROR, "Auth service unavailable"),
    ],
)
def test_ai_horde_unreachable_is_a_503_and_never_cached(horde, failure, message):
    horde.fail_with(failure)
    with pytest.raises(AuthServiceUnavailable) as raised:
        horde_user_resolve(apikey=REQUESTOR.apikey)
    assert (raised.value.status, raised.value.message) == (503, message)
    assert cache.get(cache_key(REQUESTOR.apikey)) is None
    horde.fail_with(None)
    assert horde_user_resolve(apikey=REQUESTOR.apikey).user_id == "1001"


def test_an_absurdly_long_key_is_refused_without_asking(horde):
    with pytest.raises(InvalidApiKey):
        horde_user_resolve(apikey="x" * 257)
    assert horde.calls == 0


def test_before_lookup_runs_only_when_ai_horde_is_asked(horde):
    asked = []
    horde_user_resolve(apikey=REQUESTOR.apikey, before_lookup=lambda: asked.append(1))
    horde_user_resolve(apikey=REQUESTOR.apikey, before_lookup=lambda: asked.append(1))
    assert asked == [1]


def test_the_raw_key_is_never_in_the_cache_or_the_logs(horde, caplog):
    caplog.set_level(logging.DEBUG)
    horde.users["NoHashKey-secret"] = "nohash"
    keys = [REQUESTOR.apikey, UNKNOWN_KEY, "NoHashKey-secret"]
    for key in keys:
        with contextlib.suppress(InvalidApiKey):
            horde_user_resolve(apikey=key)
    horde.fail_with(CONNECTION_ERROR)
    with pytest.raises(AuthServiceUnavailable):
        horde_user_resolve(apikey="another-secret-key")
    stored = get_redis_connection("default").keys("*")
    assert len(stored) == 3
    for raw in [*stored, *(get_redis_connection("default").get(k) for k in stored)]:
        for key in [*keys, "another-secret-key"]:
            assert key.encode() not in raw
    logged = "\n".join(f"{r.getMessage()} {r.args}" for r in caplog.records)
    assert "without '#'" in logged and "find_user failed" in logged
    for key in [*keys, "another-secret-key"]:
        assert key not in logged


def test_a_redis_outage_does_not_break_authentication(horde, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2, "IGNORE_EXCEPTIONS": True},
        }
    }
    assert horde_user_resolve(apikey=REQUESTOR.apikey).user_id == "1001"
    assert horde_user_resolve(apikey=REQUESTOR.apikey).user_id == "1001"
    assert horde.calls == 2  # no cache, so each request asks AI-Horde — but it works
    with pytest.raises(InvalidApiKey):
        horde_user_resolve(apikey=UNKNOWN_KEY)


def test_a_cache_entry_of_another_shape_is_a_miss_not_an_error(horde):
    cache.set(cache_key(REQUESTOR.apikey), {"id": 1001})  # e.g. written by an older release
    assert horde_user_resolve(apikey=REQUESTOR.apikey).user_id == "1001"
    assert horde.calls == 1

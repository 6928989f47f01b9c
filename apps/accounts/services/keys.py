"""AI-Horde API keys → AI-Horde users, through `find_user`, cached by the key's SHA-256.

A look-up holds the request's server thread until AI-Horde answers or the read timeout passes
(HMR_AI_HORDE_READ_TIMEOUT_SECONDS, 10 s), and the production server has few threads per process
(granian `--blocking-threads 2`, docker/Dockerfile). So a slow AI-Horde must not take them all:
at most HMR_AI_HORDE_LOOKUPS_PER_PROCESS look-ups (1) run at once in a process, and a request
needing another one waits only while the running look-up is younger than
HMR_AI_HORDE_LOOKUP_WAIT_SECONDS (0.5 s; AI-Horde normally answers well within that). Once
AI-Horde has kept a look-up longer, the others are answered 503 "Auth service timed out" at once,
without asking, so the remaining threads keep serving everything that needs no look-up (public
reads, cached keys, the heartbeat). When AI-Horde is fast again the next look-up goes through.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from apps.accounts.errors import AUTH_TIMED_OUT, AUTH_UNAVAILABLE, AuthServiceUnavailable, InvalidApiKey
from apps.core.hashing import sha256_hex
from apps.horde import client as horde

logger = logging.getLogger(__name__)

MAX_KEY_LENGTH = 256  # AI-Horde keys are 22 characters; anything this long is refused unasked
_INVALID = "invalid"
# AI-Horde statuses that mean "this key is not valid" (cached); others (429, 5xx) are not cached,
# so a key refused while AI-Horde is failing works again as soon as it recovers.
_DEFINITE_REJECTIONS = frozenset({400, 401, 403, 404})


@dataclass(frozen=True)
class HordeUser:
    """An AI-Horde user, as a valid API key identifies them: `username` "Name#1234", `user_id` "1234"."""

    user_id: str
    username: str

    is_authenticated = True  # what DRF and Django ask of `request.user`

    @classmethod
    def from_username(cls, username: str) -> HordeUser | None:
        """`user_id` is the text after the last "#"; None when there is none (not a real user)."""
        if "#" not in username:
            return None
        user_id = username.rsplit("#", 1)[1]
        return cls(user_id=user_id, username=username) if user_id else None


def horde_user_cache_key(digest: str) -> str:
    """The cache key of a key's look-up: its SHA-256 (`digest`), never the key."""
    return f"accounts:horde-user:{digest}"


def horde_user_resolve(*, apikey: str, before_lookup: Callable[[], None] | None = None) -> HordeUser:
    """The AI-Horde user owning `apikey`.

    Valid keys are cached `HMR_AUTH_CACHE_SECONDS`, keys AI-Horde refuses
    `HMR_AUTH_NEGATIVE_CACHE_SECONDS`; a cache outage only costs a look-up. `before_lookup` runs
    just before AI-Horde is asked (a cache miss) and may raise, e.g. a throttle.

    Raises InvalidApiKey (401) for a key AI-Horde refuses (400/401/403/404) or whose username has
    no "#"; AuthServiceUnavailable (503, "Auth service timed out" / "Auth service unavailable")
    when AI-Horde cannot answer, fails (5xx) or rate-limits us (429). The raw key is never stored,
    logged or put in a cache key.
    """
    digest = sha256_hex(apikey)
    cache_key = horde_user_cache_key(digest)
    cached = cache.get(cache_key)
    if cached == _INVALID:
        raise InvalidApiKey()
    if isinstance(cached, dict) and cached.keys() == {"user_id", "username"}:
        return HordeUser(**cached)
    if len(apikey) > MAX_KEY_LENGTH:
        raise InvalidApiKey()
    if before_lookup is not None:
        before_lookup()
    user = _look_up(apikey, ref=digest[:10])
    if user is None:
        cache.set(cache_key, _INVALID, settings.HMR_AUTH_NEGATIVE_CACHE_SECONDS)
        raise InvalidApiKey()
    cache.set(
        cache_key, {"user_id": user.user_id, "username": user.username}, settings.HMR_AUTH_CACHE_SECONDS
    )
    return user


class _LookupSlots:
    """The look-ups running in this process: their start times, at most `size` of them."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._started: list[list[float]] = []  # one [start] per running look-up (compared by identity)

    def acquire(self, size: int, wait: float) -> list[float] | None:
        """A slot, or None when all are taken by look-ups running longer than `wait` seconds."""
        with self._changed:
            while len(self._started) >= size:
                left = min(start for (start,) in self._started) + wait - time.monotonic()
                if left <= 0:
                    return None
                self._changed.wait(left)
            token = [time.monotonic()]
            self._started.append(token)
            return token

    def release(self, token: list[float]) -> None:
        with self._changed:
            self._started = [t for t in self._started if t is not token]
            self._changed.notify_all()


_slots = _LookupSlots()


def _look_up(apikey: str, *, ref: str) -> HordeUser | None:
    """find_user → HordeUser, None for a definite "not a user"; `ref` names the key in log lines."""
    size, wait = settings.HMR_AI_HORDE_LOOKUPS_PER_PROCESS, settings.HMR_AI_HORDE_LOOKUP_WAIT_SECONDS
    token = _slots.acquire(size, wait)
    if token is None:
        logger.warning("AI-Horde find_user not asked: the running look-ups are slow (key %s)", ref)
        raise AuthServiceUnavailable(AUTH_TIMED_OUT)
    try:
        return _find_user(apikey, ref=ref)
    finally:
        _slots.release(token)


def _find_user(apikey: str, *, ref: str) -> HordeUser | None:
    try:
        result = horde.find_user(apikey=apikey)
    except horde.HordeTimeout:
        logger.warning("AI-Horde find_user timed out (key %s)", ref)
        raise AuthServiceUnavailable(AUTH_TIMED_OUT) from None
    except horde.HordeUnavailable as exc:
        logger.warning("AI-Horde find_user failed (key %s): %s", ref, exc)
        raise AuthServiceUnavailable(AUTH_UNAVAILABLE) from None
    except horde.HordeRejected as exc:
        if exc.status in _DEFINITE_REJECTIONS:
            return None
        # AI-Horde failing (5xx) or limiting us (429) says nothing about the key: a 503, never cached.
        logger.warning("AI-Horde find_user answered HTTP %s (key %s)", exc.status, ref)
        raise AuthServiceUnavailable(AUTH_UNAVAILABLE) from None
    user = HordeUser.from_username(result.username)
    if user is None:
        logger.warning("AI-Horde find_user gave a username without '#' (key %s)", ref)
    return user

"""The circuit breaker around AI-Horde's usage calls, its state shared by every HMR process.

Every call that finally fails (after its retries) counts one failure; a success resets the count
and closes the breaker. At `HMR_AI_HORDE_BREAKER_FAILURES` consecutive failures it opens for
`HMR_AI_HORDE_BREAKER_COOLDOWN_SECONDS`: calls are then refused without touching the network.
When the cooldown is over the next call goes through as a probe; a failed probe opens the breaker
again for a new cooldown.

The state lives in the default cache (Redis in production, so the Celery worker that refreshes
and the web processes that answer `/api/heartbeat` see the same breaker), mirrored in this
process. When the cache cannot be read the process's own copy is used, so a Redis outage never
turns into an error here; at worst each process counts its own failures. Updates are
read-modify-write: two processes failing at the same instant may count one failure instead of
two, which only delays opening by one call (only the refresh task calls AI-Horde for usage).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, replace

from django.conf import settings
from django.core.cache import cache

from apps.core import clock

logger = logging.getLogger(__name__)

CACHE_KEY = "horde:breaker"
CACHE_TTL = 30 * 24 * 3600  # the state outlives any cooldown; a month without a call forgets it


@dataclass(frozen=True)
class BreakerState:
    consecutive_failures: int = 0
    open_until: float | None = None  # unix seconds; set while (or since) the breaker is open
    last_success: float | None = None
    last_failure: float | None = None
    last_error: str | None = None

    def is_open(self, now: float) -> bool:
        return self.open_until is not None and now < self.open_until

    def seconds_until_retry(self, now: float) -> float | None:
        """What the heartbeat reports: the cooldown left (0.1 s steps) while open, else None."""
        if not self.is_open(now):
            return None
        left = round(self.open_until - now, 1)
        return left or None


_local = BreakerState()


def _now() -> float:
    return clock.now().timestamp()


def breaker_state() -> BreakerState:
    """The shared state (the cache), or this process's copy when the cache has none or fails."""
    try:
        stored = cache.get(CACHE_KEY)
    except Exception:  # a cache outage must not break the caller; the local copy is good enough
        logger.warning("AI-Horde breaker: cache unreadable, using this process's state", exc_info=True)
        stored = None
    if isinstance(stored, dict):
        try:
            return BreakerState(**stored)
        except TypeError:
            logger.warning("AI-Horde breaker: ignoring a stored state of another shape")
    return _local


def _store(state: BreakerState) -> BreakerState:
    global _local
    _local = state
    try:
        cache.set(CACHE_KEY, asdict(state), CACHE_TTL)
    except Exception:
        logger.warning("AI-Horde breaker: cache unwritable, state kept in this process", exc_info=True)
    return state


def breaker_allows() -> tuple[bool, float | None]:
    """(may a call go out now, seconds until it may when not)."""
    state, now = breaker_state(), _now()
    if state.is_open(now):
        return False, state.seconds_until_retry(now)
    return True, None


def breaker_success() -> BreakerState:
    state = breaker_state()
    return _store(replace(state, consecutive_failures=0, open_until=None, last_success=_now()))


def breaker_failure(error: str) -> BreakerState:
    """Count one failed call; open (or re-open, after a failed probe) at the threshold."""
    state, now = breaker_state(), _now()
    failures = state.consecutive_failures + 1
    open_until = state.open_until
    if failures >= settings.HMR_AI_HORDE_BREAKER_FAILURES:
        open_until = now + settings.HMR_AI_HORDE_BREAKER_COOLDOWN_SECONDS
        if failures == settings.HMR_AI_HORDE_BREAKER_FAILURES or not state.is_open(now):
            logger.warning("AI-Horde breaker open after %s consecutive failures: %s", failures, error)
    return _store(
        replace(
            state, consecutive_failures=failures, open_until=open_until, last_failure=now, last_error=error
        )
    )


def breaker_reset() -> None:
    """Forget every failure, everywhere (an operator after fixing the network)."""
    _store(BreakerState())


def breaker_forget_local() -> None:
    """Forget this process's copy only (tests: the cache is cleared between them)."""
    global _local
    _local = BreakerState()

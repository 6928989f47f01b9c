"""The AI-Horde public API, as HMR uses it: one typed function per endpoint.

Base URL `HMR_AI_HORDE_URL`; every call has connect and read timeouts from settings. Failures
are typed, so callers can answer each one differently:

- `HordeTimeout`: AI-Horde did not connect or answer in time;
- `HordeUnavailable`: any other transport failure, or a 200 whose body is not the JSON expected;
- `HordeRejected`: AI-Horde answered with a status other than 200 (`status` tells which);
- `HordeCircuitOpen`: the usage calls only: the circuit breaker is open, nothing was sent.

`find_user` (identity) is one attempt, no breaker: its callers cache and answer 503 themselves.
The usage calls (`status_models`, `model_stats`, `workers`) run only in the background refresh
(apps/analytics), never inside an HMR request. They retry transient failures (timeouts, connection
errors, 429, 5xx) with exponential backoff and jitter, and count toward the circuit breaker
(breaker.py) only once their retries are spent. Other 4xx fail at once.

API keys travel only in the `apikey` request header; nothing here logs or keeps them.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urljoin

import requests
from django.conf import settings

from apps.horde.breaker import breaker_allows, breaker_failure, breaker_success

logger = logging.getLogger(__name__)
_session = requests.Session()  # keep-alive to AI-Horde
Kind = Literal["image", "text"]
_STATS_PATH = {"image": "v2/stats/img/models", "text": "v2/stats/text/models"}


class HordeError(Exception):
    """AI-Horde could not answer the question."""


class HordeTimeout(HordeError):
    pass


class HordeUnavailable(HordeError):
    pass


class HordeRejected(HordeError):
    def __init__(self, status: int, retry_after: float | None = None) -> None:
        super().__init__(f"AI-Horde answered HTTP {status}")
        self.status = status
        self.retry_after = retry_after

    @property
    def transient(self) -> bool:
        return self.status == 429 or self.status >= 500


class HordeCircuitOpen(HordeError):
    def __init__(self, seconds_until_retry: float | None) -> None:
        super().__init__(f"AI-Horde circuit breaker is open (retry in {seconds_until_retry or 0:.0f}s)")
        self.seconds_until_retry = seconds_until_retry


# --- identity ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FindUserResult:
    """The part of AI-Horde's `UserDetails` that HMR reads: `username` is "Name#id" for real users."""

    username: str


def find_user(*, apikey: str) -> FindUserResult:
    """GET `{HMR_AI_HORDE_URL}v2/find_user` with the `apikey` header: the user owning `apikey`.

    Raises HordeTimeout, HordeUnavailable or HordeRejected (see the module docstring). A 200 body
    without a string `username` gives `username=""`; callers decide what that means.
    """
    body = _get("v2/find_user", headers={"apikey": apikey}, timeout=_timeout())
    if not isinstance(body, dict):
        raise HordeUnavailable("AI-Horde answered v2/find_user with JSON that is not an object")
    username = body.get("username")
    return FindUserResult(username=username if isinstance(username, str) else "")


# --- usage (background refresh only) -------------------------------------------------------------


@dataclass(frozen=True)
class ModelStatus:
    """One entry of `v2/status/models`: `count` workers serve `name` right now."""

    name: str
    count: int
    performance: float | None
    queued: float | None  # megapixelsteps (image) or tokens (text) waiting
    jobs: float | None
    eta: int | None


@dataclass(frozen=True)
class ModelStats:
    """`v2/stats/{img|text}/models`: requests served per model name, over three periods."""

    day: dict[str, int]
    month: dict[str, int]
    total: dict[str, int]


@dataclass(frozen=True)
class Worker:
    """The part of a `v2/workers` entry HMR keeps (AI-Horde's names; `performance` is a sentence)."""

    id: str
    name: str
    models: tuple[str, ...]
    performance: str | None = None
    online: bool | None = None
    trusted: bool | None = None
    nsfw: bool | None = None
    uptime: int | None = None
    max_length: int | None = None
    max_context_length: int | None = None
    bridge_agent: str | None = None


def status_models(*, kind: Kind) -> list[ModelStatus]:
    """GET `v2/status/models?type=<kind>&model_state=<HMR_AI_HORDE_MODEL_STATE>`.

    Entries that are not objects or have no name are skipped; numbers AI-Horde sends as floats
    or strings are read leniently (a missing count is 0).
    """
    body = _usage_get("v2/status/models", {"type": kind, "model_state": settings.HMR_AI_HORDE_MODEL_STATE})
    if not isinstance(body, list):
        raise HordeUnavailable("AI-Horde answered v2/status/models with JSON that is not a list")
    return [
        ModelStatus(
            name=entry["name"],
            count=_int(entry.get("count")) or 0,
            performance=_float(entry.get("performance")),
            queued=_float(entry.get("queued")),
            jobs=_float(entry.get("jobs")),
            eta=_int(entry.get("eta")),
        )
        for entry in body
        if isinstance(entry, dict) and isinstance(entry.get("name"), str) and entry["name"]
    ]


def model_stats(*, kind: Kind) -> ModelStats:
    """GET `v2/stats/img/models` or `v2/stats/text/models` (same `model_state`)."""
    path = _STATS_PATH[kind]
    body = _usage_get(path, {"model_state": settings.HMR_AI_HORDE_MODEL_STATE})
    if not isinstance(body, dict):
        raise HordeUnavailable(f"AI-Horde answered {path} with JSON that is not an object")
    return ModelStats(*(_counts(body.get(period)) for period in ("day", "month", "total")))


def workers(*, kind: Kind) -> list[Worker]:
    """GET `v2/workers?type=<kind>`: every worker of that kind and the model names it serves."""
    body = _usage_get("v2/workers", {"type": kind})
    if not isinstance(body, list):
        raise HordeUnavailable("AI-Horde answered v2/workers with JSON that is not a list")
    return [_worker(entry) for entry in body if isinstance(entry, dict) and entry.get("id")]


def _worker(entry: dict) -> Worker:
    models = entry.get("models")
    return Worker(
        id=str(entry["id"]),
        name=str(entry.get("name") or ""),
        models=tuple(m for m in models if isinstance(m, str)) if isinstance(models, list) else (),
        performance=entry.get("performance") if isinstance(entry.get("performance"), str) else None,
        online=_bool(entry.get("online")),
        trusted=_bool(entry.get("trusted")),
        nsfw=_bool(entry.get("nsfw")),
        uptime=_int(entry.get("uptime")),
        max_length=_int(entry.get("max_length")),
        max_context_length=_int(entry.get("max_context_length")),
        bridge_agent=entry.get("bridge_agent") if isinstance(entry.get("bridge_agent"), str) else None,
    )


def _counts(value) -> dict[str, int]:
    if not isinstance(value, dict):
        return {}
    return {name: _int(n) or 0 for name, n in value.items() if isinstance(name, str) and name}


def _float(value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _int(value) -> int | None:
    number = _float(value)
    return None if number is None else round(number)


def _bool(value) -> bool | None:
    return value if isinstance(value, bool) else None


# --- transport -----------------------------------------------------------------------------------


def _timeout(read: float | None = None) -> tuple[float, float]:
    return (settings.HMR_AI_HORDE_CONNECT_TIMEOUT_SECONDS, read or settings.HMR_AI_HORDE_READ_TIMEOUT_SECONDS)


def _usage_get(path: str, params: dict[str, str]):
    """A usage call: breaker first, then up to HMR_AI_HORDE_ATTEMPTS attempts with backoff."""
    allowed, seconds = breaker_allows()
    if not allowed:
        raise HordeCircuitOpen(seconds)
    attempts = settings.HMR_AI_HORDE_ATTEMPTS
    timeout = _timeout(settings.HMR_AI_HORDE_USAGE_READ_TIMEOUT_SECONDS)
    for attempt in range(1, attempts + 1):
        try:
            body = _get(path, params=params, timeout=timeout)
        except (HordeTimeout, HordeUnavailable, HordeRejected) as exc:
            transient = not isinstance(exc, HordeRejected) or exc.transient
            if transient and attempt < attempts:
                _pause(attempt, getattr(exc, "retry_after", None))
                continue
            breaker_failure(f"{path}: {exc}")
            raise
        breaker_success()
        return body
    raise AssertionError("unreachable")  # pragma: no cover  (the loop returns or raises)


def _pause(attempt: int, retry_after: float | None) -> None:
    """Exponential backoff with full jitter, capped; a 429's Retry-After is honoured up to the cap."""
    cap = settings.HMR_AI_HORDE_RETRY_MAX_SECONDS
    delay = random.uniform(0, min(cap, settings.HMR_AI_HORDE_RETRY_BASE_SECONDS * 2 ** (attempt - 1)))
    if retry_after is not None:
        delay = max(delay, min(cap, retry_after))
    if delay > 0:
        time.sleep(delay)


def _get(path: str, *, headers: dict[str, str] | None = None, params: dict | None = None, timeout):
    url = urljoin(settings.HMR_AI_HORDE_URL, path)
    try:
        response = _session.get(url, headers=headers or {}, params=params, timeout=timeout)
    except requests.Timeout as exc:
        raise HordeTimeout(f"AI-Horde did not answer {path} in time") from exc
    except requests.RequestException as exc:
        raise HordeUnavailable(f"AI-Horde is not reachable ({type(exc).__name__})") from exc
    if response.status_code != 200:
        raise HordeRejected(response.status_code, _retry_after(response))
    try:
        return response.json()
    except ValueError as exc:
        raise HordeUnavailable(f"AI-Horde answered {path} with something that is not JSON") from exc


def _retry_after(response) -> float | None:
    value = response.headers.get("Retry-After", "")
    return float(value) if value.strip().isdigit() else None

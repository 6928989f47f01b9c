"""Per-host limits on outgoing checks: at most N requests in flight per host, and a pace between
their starts, across threads, Celery workers and machines.

Both live in the shared cache (Redis in production): a request takes one of the host's N slot
keys (`add`, atomic: SET NX PX) and gives it back when its answer is in; a slot whose holder died
expires after `lease` seconds. The pace is a key that lives one interval: a request may start
when it can create it. Inside one process a semaphore per host holds the same limit, so the
limits still hold for the threads of a run when the cache cannot be reached (`add` then answers
None instead of True or False).
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import BaseCache

logger = logging.getLogger(__name__)
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def rate_interval(rate: str) -> float:
    """Seconds between request starts for a rate like `2/second` or `30/minute`."""
    match = re.fullmatch(r"\s*0*([1-9][0-9]*)/([smhd])[a-z]*\s*", rate)
    if not match:
        raise ValueError(f"not a rate like '2/second': {rate!r}")
    return _PERIODS[match.group(2)] / int(match.group(1))


class HostGate:
    def __init__(
        self, *, cache: BaseCache, concurrency: int, interval: float, lease: float, poll: float = 0.02
    ) -> None:
        self.cache, self.concurrency, self.interval = cache, concurrency, interval
        self.lease, self.poll = lease, poll
        self._lock = threading.Lock()
        self._local: dict[str, threading.BoundedSemaphore] = {}
        self._next_start: dict[str, float] = {}

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        """Hold one of `host`'s slots, paced, for the duration of one request."""
        semaphore = self._semaphore(host)
        semaphore.acquire()
        key = token = None
        try:
            key, token = self._take_shared(host)
            self._pace(host)
            yield
        finally:
            if key is not None and self.cache.get(key) == token:
                self.cache.delete(key)
            semaphore.release()

    def _semaphore(self, host: str) -> threading.BoundedSemaphore:
        with self._lock:
            return self._local.setdefault(host, threading.BoundedSemaphore(self.concurrency))

    def _take_shared(self, host: str) -> tuple[str | None, str | None]:
        token = uuid.uuid4().hex
        deadline = time.monotonic() + self.lease
        while True:
            for index in range(self.concurrency):
                key = f"verification:slot:{host}:{index}"
                taken = self.cache.add(key, token, timeout=self.lease)
                if taken:
                    return key, token
                if taken is None:
                    logger.warning("Cache unavailable: host limits for %s hold in this process only", host)
                    return None, None
            if time.monotonic() > deadline:  # holders that died: their slots have expired by now
                logger.warning("Waited %.0f s for a slot of %s; going ahead", self.lease, host)
                return None, None
            time.sleep(self.poll)

    def _pace(self, host: str) -> None:
        if self.interval <= 0:
            return
        while True:
            started = self.cache.add(f"verification:pace:{host}", 1, timeout=max(self.interval, 0.001))
            if started:
                return
            if started is None:
                self._pace_locally(host)
                return
            time.sleep(min(self.poll, self.interval))

    def _pace_locally(self, host: str) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start.get(host, now))
            self._next_start[host] = start + self.interval
        time.sleep(max(0.0, start - now))

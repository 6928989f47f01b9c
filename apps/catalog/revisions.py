"""Which revision of each category is current, known without I/O on the request path.

Every data change bumps the category's revision in the database (inside the write's
transaction); after the commit `revisions_publish` announces it on a Redis channel. Each process
runs one `RevisionWatcher` thread subscribed to that channel. While the subscription is live the
watcher's map is current, so a read costs a dictionary lookup; whenever it is not (Redis down,
reconnecting, no Redis configured) `known` answers None and the caller asks Redis or the
database instead. After every (re)subscription the watcher re-reads all revisions from the
database, so an announcement missed while disconnected cannot leave it behind, and it re-reads
them every RESYNC_SECONDS anyway, in case an announcement was lost while it stayed connected (a
publisher's Redis call failing). Revisions only grow, so applying them with `max` makes the order
of the resync and the messages irrelevant.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time

import redis
from django.core.cache import caches
from django.db import connection
from django_redis import get_redis_connection

from apps.catalog.selectors import category_revisions

logger = logging.getLogger(__name__)
RESYNC_SECONDS = 30


def _redis_location() -> str | None:
    config = caches["documents"]
    if config.__class__.__module__.startswith("django_redis"):
        return config._server[0] if isinstance(config._server, list) else config._server
    return None


def channel_name(location: str) -> str:
    """One channel per Redis database (pub/sub ignores database numbers; tests use several)."""
    return f"hmr:revisions:{location.rsplit('/', 1)[-1]}"


class RevisionWatcher:
    def __init__(self) -> None:
        self._known: dict[str, int] = {}
        self._live = False
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._stop = threading.Event()

    def known(self, category: str) -> int | None:
        """The current revision if the subscription is live, else None (ask elsewhere)."""
        self._ensure_started()
        return self._known.get(category) if self._live else None

    def observe(self, category: str, revision: int) -> None:
        with self._lock:
            if revision > self._known.get(category, -1):
                self._known[category] = revision

    def reset(self) -> None:
        with self._lock:
            self._known.clear()

    def stop(self) -> None:
        self._stop.set()
        self._live = False

    def _ensure_started(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()  # a forked worker starts its own thread
            self._live = False
            self._known.clear()
            location = _redis_location()
            if location is None:
                return
            self._stop.clear()
            threading.Thread(
                target=self._run, args=(location,), name="hmr-revision-watcher", daemon=True
            ).start()

    def _run(self, location: str) -> None:
        backoff = 0.5
        while not self._stop.is_set():
            try:
                client = redis.Redis.from_url(
                    location, socket_connect_timeout=1, socket_keepalive=True, health_check_interval=5
                )
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(channel_name(location))
                self._resync()
                self._live = True
                backoff = 0.5
                resynced = time.monotonic()
                while not self._stop.is_set():
                    if time.monotonic() - resynced > RESYNC_SECONDS:
                        self._resync()  # bounds how long a lost announcement can go unnoticed
                        resynced = time.monotonic()
                    message = pubsub.get_message(timeout=1.0)
                    if message and message.get("type") == "message":
                        for category, revision in json.loads(message["data"]).items():
                            self.observe(category, int(revision))
            except Exception as exc:  # any Redis or database trouble: fall back, then retry
                if self._live:
                    logger.warning("revision watcher lost its subscription (%s)", exc.__class__.__name__)
                self._live = False
                time.sleep(backoff)
                backoff = min(backoff * 2, 10.0)

    def _resync(self) -> None:
        try:
            for category, revision in category_revisions().items():
                self.observe(category, revision)
        finally:
            connection.close()  # this thread's own connection


watcher = RevisionWatcher()


def revisions_publish(revisions: dict[str, int]) -> None:
    """Announce committed revisions to every process (best effort; readers fall back when missed)."""
    for category, revision in revisions.items():
        watcher.observe(category, revision)
    location = _redis_location()
    if location is None:
        return
    get_redis_connection("documents").publish(channel_name(location), json.dumps(revisions))

"""The documents held in memory and the decisions about them, without any I/O.

`Cache.plan` says what to ask the server for a category (and hands over the disk copy it read);
`Cache.conclude` turns the server's answer, or the failure to get one, into the document to use.
The manager does the I/O in between, synchronously or asynchronously, so both paths share one
cache and one set of rules. All state is guarded by one lock; documents are replaced, never
edited, except for the freshness fields of a document the server confirmed (304).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from hmr_client.categories import Category
from hmr_client.store import DiskStore, Stored
from hmr_client.transport import Answer, TransportFailure

log = logging.getLogger("hmr_client")


@dataclass(frozen=True)
class CacheStatus:
    """What the manager holds for a category and how current it is."""

    category: str
    etag: str | None
    source: Literal["server", "disk"]  # where the bytes in memory came from
    confirmed_at: float  # unix time the server last confirmed this copy (a 200 or a 304)
    stale: bool  # the last attempt to revalidate failed: this copy may be out of date
    error: str | None  # why the last attempt failed (stale copies only)
    records: int

    @property
    def age_seconds(self) -> float:
        """Seconds since the server last confirmed this copy."""
        return max(0.0, time.time() - self.confirmed_at)


@dataclass(eq=False)
class Document:
    category: Category
    data: dict[str, Any]
    etag: str | None
    source: Literal["server", "disk"]
    confirmed_at: float  # unix time
    checked_at: float  # monotonic: the last attempt to revalidate (the TTL counts from here)
    requested_at: float  # monotonic start of the request that produced or confirmed it
    stale: bool = False
    error: str | None = None
    typed: dict[str, Any] = field(default_factory=dict)  # name -> record, filled on demand
    invalid: dict[str, str] = field(default_factory=dict)  # name -> why it failed validation
    all_typed: bool = False

    def status(self) -> CacheStatus:
        return CacheStatus(
            self.category.value,
            self.etag,
            self.source,
            self.confirmed_at,
            self.stale,
            self.error,
            len(self.data),
        )


@dataclass(frozen=True)
class Plan:
    """One revalidation of a category: what to send, and what was held when it started."""

    category: Category
    path: str
    url: str
    etag: str | None
    held: Document | None
    stored: Stored | None
    started: float


class Retry(Exception):
    """The server confirmed a copy that turned out unusable: ask again without a validator."""


def parse_document(body: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


class Cache:
    def __init__(self, *, store: DiskStore | None, ttl: dict[Category, float], default_ttl: float) -> None:
        self.store = store
        self.ttl = ttl
        self.default_ttl = default_ttl
        self.lock = threading.RLock()
        self.documents: dict[Category, Document] = {}
        self.missing: dict[Category, str] = {}

    def get(self, category: Category) -> Document | None:
        with self.lock:
            return self.documents.get(category)

    def fresh(self, category: Category, *, force: bool, since: float) -> Document | None:
        """The held document if it needs no revalidation now, else None. A forced refresh that
        started at `since` is satisfied by any revalidation after that moment (another thread's)."""
        with self.lock:
            held = self.documents.get(category)
            if held is None:
                return None
            if force:
                return held if held.checked_at >= since else None
            ttl = self.ttl.get(category, self.default_ttl)
            return held if time.monotonic() - held.checked_at < ttl else None

    def drop(self, category: Category) -> None:
        with self.lock:
            self.documents.pop(category, None)

    def plan(self, category: Category, path: str, url: str, *, validator: bool = True) -> Plan:
        held = self.get(category)
        stored = None
        if held is None and self.store is not None:
            stored = self.store.load(category.value, url)
        etag = None
        if validator:
            etag = held.etag if held is not None else stored.etag if stored is not None else None
        return Plan(category, path, url, etag, held, stored, time.monotonic())

    def conclude(self, plan: Plan, answer: Answer | TransportFailure) -> Document | None:
        """The document to use after `answer`. Raises Retry when a 304 confirmed nothing usable."""
        if isinstance(answer, TransportFailure):
            return self._fall_back(plan, str(answer))
        if answer.status == 304 and plan.etag is not None:
            return self._confirmed(plan)
        if answer.status == 200:
            data = parse_document(answer.body)
            if data is None:
                return self._fall_back(plan, f"{answer.url} did not answer a JSON object")
            document = Document(
                plan.category,
                data,
                answer.etag,
                "server",
                time.time(),
                time.monotonic(),
                plan.started,
            )
            stored = self._keep(document)
            if stored is document and self.store is not None:
                self.store.save(plan.category.value, plan.url, answer.etag, answer.body)
            return stored
        if answer.status == 404:
            with self.lock:
                self.documents.pop(plan.category, None)
                self.missing[plan.category] = f"the server has no {plan.category.value} document (404)"
            return None
        return self._fall_back(plan, f"{answer.url} answered {answer.status}")

    def _confirmed(self, plan: Plan) -> Document:
        now, mono = time.time(), time.monotonic()
        if plan.held is not None:
            with self.lock:
                held = plan.held
                held.confirmed_at, held.checked_at = now, mono
                held.requested_at = max(held.requested_at, plan.started)
                held.stale, held.error = False, None
                current = self.documents.setdefault(plan.category, held)
        else:
            data = parse_document(plan.stored.body) if plan.stored is not None else None
            if data is None:
                raise Retry
            current = self._keep(
                Document(plan.category, data, plan.stored.etag, "disk", now, mono, plan.started)
            )
        if self.store is not None:
            self.store.touch(plan.category.value)
        return current

    def _keep(self, document: Document) -> Document:
        """Store `document` unless a newer answer is already held (requests may overlap)."""
        with self.lock:
            current = self.documents.get(document.category)
            if current is not None and current.requested_at > document.requested_at:
                return current
            self.documents[document.category] = document
            self.missing.pop(document.category, None)
            return document

    def _fall_back(self, plan: Plan, reason: str) -> Document | None:
        """The server gave nothing usable: keep serving what is held, else the disk copy."""
        mono = time.monotonic()
        with self.lock:
            held = self.documents.get(plan.category)
            if held is not None and held.checked_at > plan.started and not held.stale:
                return held  # another request confirmed it while this one failed: it is current
            if held is not None:
                if not held.stale:
                    log.warning(
                        "hmr-client: cannot revalidate %s (%s); serving the copy confirmed %.0f s ago",
                        plan.category.value,
                        reason,
                        time.time() - held.confirmed_at,
                    )
                held.stale, held.error, held.checked_at = True, reason, mono
                return held
        stored = plan.stored
        data = parse_document(stored.body) if stored is not None else None
        if stored is None or data is None:
            with self.lock:
                self.missing[plan.category] = reason
            return None
        log.warning(
            "hmr-client: cannot fetch %s (%s); serving the disk copy confirmed %.0f s ago",
            plan.category.value,
            reason,
            time.time() - stored.confirmed_at,
        )
        document = Document(
            plan.category, data, stored.etag, "disk", stored.confirmed_at, mono, plan.started, True, reason
        )
        return self._keep(document)

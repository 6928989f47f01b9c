"""Who hears about a committed change to the catalog: an explicit registry, not Django signals.

Services queue `categories_changed(categories)` with `transaction.on_commit`. Higher parts of the
house subscribe in their `AppConfig.ready()` with `on_categories_changed`, so the catalog never
imports them; `grep -rn on_categories_changed apps` lists every subscriber. Subscribers run in
registration order (INSTALLED_APPS order: the catalog's own document refresh first), each
isolated: one that raises is logged and the others still run. A subscriber must be cheap or
queue its work (the change is already committed; nothing here can undo it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from apps.catalog.categories import Category

logger = logging.getLogger(__name__)

Subscriber = Callable[[list[Category]], None]
_subscribers: dict[str, Subscriber] = {}


def on_categories_changed(name: str, subscriber: Subscriber) -> None:
    """Call `subscriber(categories)` after every committed change (`name` says who, in logs).

    Registering a name again replaces its subscriber (ready() may run more than once in tests).
    """
    _subscribers[name] = subscriber


def subscribers() -> list[str]:
    return list(_subscribers)


def categories_changed(categories: list[Category]) -> None:
    """Run after commit: tell every subscriber, each failure isolated and logged."""
    for name, subscriber in list(_subscribers.items()):
        try:
            subscriber(categories)
        except Exception:
            logger.exception("%s failed after a change to %s", name, [c.value for c in categories])

"""The categories with their counts, and what changed recently (from the audit trail)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from apps.audit.models import AuditEvent
from apps.catalog.categories import Category, served_categories
from apps.catalog.formats import v2
from apps.catalog.models import CategoryMetadata, ModelRecord


@dataclass(frozen=True)
class CategoryOverview:
    category: Category
    records: int
    last_updated: datetime | None


def category_overview() -> list[CategoryOverview]:
    """Every served category with its record count and last change (two queries)."""
    counts = dict(ModelRecord.objects.order_by().values_list("category").annotate(n=Count("id")))
    updated = dict(CategoryMetadata.objects.values_list("category", "last_updated"))
    return [CategoryOverview(c, counts.get(c.value, 0), updated.get(c.value)) for c in served_categories()]


@dataclass(frozen=True)
class RecentChange:
    event_id: int
    at: datetime
    category: str
    name: str
    operation: str  # create | update | delete
    origin: str
    actor: str
    fields: tuple[str, ...]  # for an update: the fields it changed
    live: bool  # the record exists now (a link can be offered)


def _record_events(categories: list[Category], name: str | None) -> QuerySet:
    events = AuditEvent.objects.filter(category__in=[c.value for c in categories])
    return events if name is None else events.filter(model_name=name)


def change_count(categories: list[Category]) -> int:
    return _record_events(categories, None).count()


def recent_changes(
    categories: list[Category], *, limit: int, offset: int = 0, name: str | None = None
) -> list[RecentChange]:
    """Record writes in these categories (of one record, with `name`), newest first, from the
    audit trail."""
    events = _record_events(categories, name)
    rows = list(
        events.order_by("-id").values_list(
            "id",
            "timestamp",
            "category",
            "model_name",
            "operation",
            "origin",
            "actor_name",
            "actor_id",
            "payload",
        )[offset : offset + limit]
    )
    wanted = Q(pk__in=[])
    for row in rows:
        wanted |= Q(category=row[2], name=row[3])
    live = set(ModelRecord.objects.filter(wanted).values_list("category", "name")) if rows else set()
    changes = [
        RecentChange(
            event_id=pk,
            at=at,
            category=category,
            name=name,
            operation=operation,
            origin=origin,
            actor=actor_name or actor_id or "",
            fields=tuple(f for f in (payload or {}).get("delta") or () if f != v2.LEGACY_KEY)
            if operation == "update"
            else (),
            live=(category, name) in live,
        )
        for pk, at, category, name, operation, origin, actor_name, actor_id, payload in rows
    ]
    return changes

"""Purging the queue: delete change records by filter (any state), each removal audited."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from apps.audit.services import Actor, audit_events_save
from apps.core.errors import ApplicationError
from apps.moderation.models import PendingChange
from apps.moderation.services.common import queue_event


@dataclass(frozen=True)
class PurgeFilter:
    statuses: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    model_name: str | None = None
    requested_by: tuple[str, ...] = ()
    purge_all: bool = False

    @property
    def empty(self) -> bool:
        return not (self.statuses or self.categories or self.model_name or self.requested_by)


def changes_purge(*, filters: PurgeFilter, actor: Actor, dry_run: bool = False) -> list[int]:
    """Remove matching change records; the ids removed (or that would be, with `dry_run`)."""
    if filters.empty and not filters.purge_all:
        raise ApplicationError(
            "Provide at least one filter or set purge_all=true to clear the entire queue.", status=422
        )
    with transaction.atomic():
        changes = PendingChange.objects.select_for_update()
        if filters.statuses:
            changes = changes.filter(status__in=filters.statuses)
        if filters.categories:
            changes = changes.filter(category__in=filters.categories)
        if filters.model_name:
            changes = changes.filter(model_name__icontains=filters.model_name)
        if filters.requested_by:
            changes = changes.filter(requested_by__in=filters.requested_by)
        removed = list(changes.order_by("id"))
        if not dry_run and removed:
            audit_events_save(
                [
                    queue_event(
                        c,
                        actor,
                        category=c.category,
                        model=c.model_name,
                        requested_by=c.requested_by,
                        purged_by_username=actor.name,
                        action="purge",
                    )
                    for c in removed
                ]
            )
            PendingChange.objects.filter(pk__in=[c.pk for c in removed]).delete()
    return [c.pk for c in removed]

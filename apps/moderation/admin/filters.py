"""Queue filters: age, requester, batch, and "my submissions"."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin

from apps.core import clock
from apps.moderation.admin.common import admin_actor
from apps.moderation.models import PendingChange, ReviewBatch


class AgeFilter(admin.SimpleListFilter):
    title = "age"
    parameter_name = "age"
    AGES = {"day": ("less than a day", timedelta(days=1)), "week": ("less than a week", timedelta(days=7))}

    def lookups(self, request, model_admin):
        return [*((key, label) for key, (label, _) in self.AGES.items()), ("older", "older than a week")]

    def queryset(self, request, queryset):
        now = clock.now()
        if self.value() in self.AGES:
            return queryset.filter(requested_at__gt=now - self.AGES[self.value()][1])
        if self.value() == "older":
            return queryset.filter(requested_at__lte=now - timedelta(days=7))
        return queryset


class RequesterFilter(admin.SimpleListFilter):
    title = "requester"
    parameter_name = "requester"

    def lookups(self, request, model_admin):
        pairs = (
            PendingChange.objects.order_by("requested_username")
            .values_list("requested_by", "requested_username")
            .distinct()[:50]
        )
        return [(user_id, name or user_id) for user_id, name in pairs]

    def queryset(self, request, queryset):
        return queryset.filter(requested_by=self.value()) if self.value() else queryset


class MineFilter(admin.SimpleListFilter):
    """ "My submissions": the signed-in user's own changes."""

    title = "submitted by"
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("1", "me (my submissions)")]

    def queryset(self, request, queryset):
        if self.value() != "1":
            return queryset
        return queryset.filter(requested_by=admin_actor(request.user).id)


class BatchFilter(admin.SimpleListFilter):
    """The 20 newest batches are offered; any batch id works in the address (batch pages link here)."""

    title = "batch"
    parameter_name = "batch"

    def lookups(self, request, model_admin):
        batches = ReviewBatch.objects.order_by("-id").values_list("id", "title")[:20]
        return [("none", "no batch"), *((str(pk), f"#{pk} {title}") for pk, title in batches)]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(batch__isnull=True)
        if self.value() and self.value().isdigit():
            return queryset.filter(batch_id=int(self.value()))
        return queryset

"""AI-Horde usage as HMR last collected it, per category, record, backend, day and unknown name.

Written only by `services/refresh.py` (every HMR_USAGE_REFRESH_MINUTES, and again from the kept
AI-Horde answers when records change); read by the statistics endpoints, the dashboard and the
two-approval rule. No request ever calls AI-Horde: it reads these rows.
"""

from __future__ import annotations

from django.db import models

from apps.catalog.categories import Category
from apps.catalog.models import ModelRecord
from apps.core.fields import OrderedJSONField, enum_choices


class UsageSnapshot(models.Model):
    """One category's snapshot: when it was taken, the AI-Horde answers it was matched from, and
    how the last refresh went. `version` names the snapshot (bumped at every write), so cached
    answers computed from it are keyed by it."""

    category = models.CharField(max_length=32, choices=enum_choices(Category), primary_key=True)
    as_of = models.DateTimeField(null=True, blank=True, help_text="When AI-Horde gave these figures.")
    version = models.PositiveIntegerField(default=0)
    attempted_at = models.DateTimeField(null=True, blank=True, help_text="The last refresh attempt.")
    last_error = models.TextField(null=True, blank=True, help_text="Why the last attempt failed, if it did.")
    raw = OrderedJSONField(null=True, blank=True, help_text="AI-Horde's answers (status, stats, workers).")

    class Meta:
        verbose_name = "curation dashboard"
        verbose_name_plural = "curation dashboard"
        permissions = [("view_dashboard", "Can view the curation dashboard")]

    def __str__(self) -> str:
        return self.category


class _Figures(models.Model):
    worker_count = models.PositiveIntegerField(default=0)
    performance = models.FloatField(null=True, blank=True)
    queued = models.FloatField(null=True, blank=True)
    queued_jobs = models.FloatField(null=True, blank=True)
    eta = models.IntegerField(null=True, blank=True)
    usage_day = models.BigIntegerField(default=0)
    usage_month = models.BigIntegerField(default=0)
    usage_total = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class RecordUsage(_Figures):
    """A record's current figures (absent: AI-Horde did not mention any of its names)."""

    record = models.OneToOneField(ModelRecord, on_delete=models.CASCADE, related_name="usage")
    category = models.CharField(max_length=32, choices=enum_choices(Category))
    status_name = models.CharField(max_length=255, null=True, blank=True, help_text="AI-Horde's spelling.")
    workers = OrderedJSONField(default=list, help_text="Summaries of the workers serving it.")

    class Meta:
        indexes = [models.Index(fields=["category", "-usage_month"], name="usage_month_rank")]

    def __str__(self) -> str:
        return str(self.record_id)


class BackendUsage(_Figures):
    """A text record's figures per backend (`canonical`, `aphrodite`, `koboldcpp`)."""

    record = models.ForeignKey(ModelRecord, on_delete=models.CASCADE, related_name="backend_usage")
    backend = models.CharField(max_length=16)
    variant_name = models.CharField(max_length=255)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record", "backend"], name="backend_usage_unique")]

    def __str__(self) -> str:
        return self.variant_name


class UsageDay(models.Model):
    """A record's usage on one day (the last refresh of the day wins), kept HMR_USAGE_HISTORY_DAYS.

    Keyed by name, not by row, so a record's trend survives a delete and re-create."""

    category = models.CharField(max_length=32, choices=enum_choices(Category))
    name = models.CharField(max_length=255)
    day = models.DateField()
    worker_count = models.PositiveIntegerField(default=0)
    usage_day = models.BigIntegerField(default=0)
    usage_month = models.BigIntegerField(default=0)
    usage_total = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["category", "name", "day"], name="usage_day_unique")]
        indexes = [models.Index(fields=["day"], name="usage_day_prune")]

    def __str__(self) -> str:
        return f"{self.name} {self.day}"


class UnknownModel(_Figures):
    """An AI-Horde name that matches no record: served by workers or used recently."""

    category = models.CharField(max_length=32, choices=enum_choices(Category))
    name = models.CharField(max_length=255, help_text="As AI-Horde spells it.")
    first_seen = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["category", "name"], name="unknown_model_unique")]
        ordering = ["category", "-worker_count", "-usage_month", "name"]

    def __str__(self) -> str:
        return self.name

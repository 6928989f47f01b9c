"""Run history shared by the export, sync and replica services."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models

from apps.core import clock


def runs_prune(model: type[models.Model]) -> int:
    """Delete run rows older than HMR_RUN_HISTORY_DAYS (the admin shows the recent history)."""
    cutoff = clock.now() - timedelta(days=settings.HMR_RUN_HISTORY_DAYS)
    deleted, _ = model.objects.filter(started_at__lt=cutoff).delete()
    return deleted

"""Reads for the background-work status shown in the admin."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from apps.catalog.categories import Category, Repo
from apps.catalog.models import CategoryMetadata
from apps.sync.github import credentials_configured
from apps.sync.models import ExportRun, ReplicaRun, SyncRun


@dataclass(frozen=True)
class ExportStatus:
    category: str
    revision: int  # the category's current revision
    last: ExportRun | None
    last_success: ExportRun | None

    @property
    def behind(self) -> bool:
        """The data changed after the last successful export (an export is queued, or it failed)."""
        done = self.last_success.revision if self.last_success else None
        return done is None or done < self.revision


def export_statuses() -> list[ExportStatus]:
    """Per category (15 small index look-ups each way): the last export run and the last success."""
    revisions = dict(CategoryMetadata.objects.values_list("category", "revision"))
    statuses = []
    for category in Category:
        runs = ExportRun.objects.filter(category=category.value)
        statuses.append(
            ExportStatus(
                category.value,
                revisions.get(category.value, 0),
                runs.first(),
                runs.exclude(result=ExportRun.Result.FAILED).first(),
            )
        )
    return statuses


def background_status() -> dict:
    return {
        "mode": settings.HMR_REPLICATE_MODE,
        "github_configured": credentials_configured(),
        "branch": settings.HMR_GITHUB_SYNC_BRANCH,
        "sync_interval": settings.HMR_SYNC_INTERVAL_MINUTES,
        "export_dir": str(settings.HMR_EXPORT_DIR),
        "syncs": [(repo.label, SyncRun.objects.filter(repo=repo).first()) for repo in Repo],
        "exports": export_statuses(),
        "replica": ReplicaRun.objects.first(),
    }

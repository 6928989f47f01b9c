"""What the background work did: export runs and files, GitHub sync runs, replica pulls.

Rows are written by the services in `apps/sync/services/` only; the admin shows them read-only.
Run rows older than HMR_RUN_HISTORY_DAYS are pruned when a new run is recorded.
"""

from __future__ import annotations

from django.db import models

from apps.catalog.categories import Category, Repo
from apps.core.fields import enum_choices


class ExportRun(models.Model):
    """One `export_category` run: which files it rendered and whether any bytes changed on disk."""

    class Result(models.TextChoices):
        WRITTEN = "written", "written"
        UNCHANGED = "unchanged", "unchanged"
        FAILED = "failed", "failed"

    category = models.CharField(max_length=32, choices=enum_choices(Category))
    revision = models.PositiveIntegerField(
        null=True, blank=True, help_text="The category's metadata revision that was exported."
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    result = models.CharField(max_length=16, choices=Result.choices)
    files_written = models.PositiveSmallIntegerField(default=0)
    files = models.JSONField(default=list, blank=True, help_text="[{path, sha256, bytes, written}]")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["category", "-started_at"], name="export_run_category")]

    def __str__(self) -> str:
        return f"export {self.category} {self.result}"


class ExportedFile(models.Model):
    """The current content of one file under HMR_EXPORT_DIR (path relative to it)."""

    class Format(models.TextChoices):
        LEGACY = "legacy", "legacy"
        V2 = "v2", "v2"

    path = models.CharField(max_length=255, unique=True)
    category = models.CharField(max_length=32, choices=enum_choices(Category))
    format = models.CharField(max_length=8, choices=Format.choices)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveBigIntegerField()
    revision = models.PositiveIntegerField(null=True, blank=True)
    written_at = models.DateTimeField(help_text="When these bytes were last written (or first seen).")

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return self.path


class SyncRun(models.Model):
    """One GitHub sync of a legacy repository: what it found and what it did to the branch and PR."""

    class Result(models.TextChoices):
        RUNNING = "running", "running"
        CREATED = "created", "pull request opened"
        UPDATED = "updated", "branch or pull request updated"
        UNCHANGED = "unchanged", "already up to date"
        IDENTICAL = "identical", "repository matches the export"
        FAILED = "failed", "failed"

    repo = models.CharField(max_length=8, choices=enum_choices(Repo))
    repo_name = models.CharField(max_length=255, help_text="owner/name on GitHub")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=16, choices=Result.choices)
    branch = models.CharField(max_length=255, blank=True)
    base_sha = models.CharField(max_length=40, blank=True, help_text="Head of the default branch compared.")
    head_sha = models.CharField(max_length=40, blank=True, help_text="Head of the sync branch afterwards.")
    pr_number = models.PositiveIntegerField(null=True, blank=True)
    pr_url = models.URLField(max_length=500, blank=True)
    summary = models.JSONField(default=dict, blank=True, help_text="Per file: added/removed/modified.")
    note = models.TextField(blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["repo", "-started_at"], name="sync_run_repo")]
        constraints = [
            # One run per repository at a time: a second one finds this row and stands down.
            models.UniqueConstraint(
                fields=["repo"], condition=models.Q(result="running"), name="sync_run_one_running"
            )
        ]

    def __str__(self) -> str:
        return f"sync {self.repo} {self.result}"


class ReplicaSource(models.Model):
    """Per category, what the PRIMARY last sent: validators for conditional GETs and the body hash."""

    category = models.CharField(max_length=32, choices=enum_choices(Category), primary_key=True)
    etag = models.CharField(max_length=255, blank=True)
    last_modified = models.CharField(max_length=64, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.category


class ReplicaRun(models.Model):
    """One `replica_pull`: where the data came from and what changed."""

    class Result(models.TextChoices):
        IMPORTED = "imported", "records changed"
        UNCHANGED = "unchanged", "nothing changed"
        FAILED = "failed", "failed"

    class Source(models.TextChoices):
        PRIMARY = "primary", "PRIMARY API"
        GITHUB = "github", "GitHub fallback"

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    result = models.CharField(max_length=16, choices=Result.choices)
    source = models.CharField(max_length=8, choices=Source.choices)
    changed = models.PositiveIntegerField(default=0, help_text="Records created, updated or deleted.")
    summary = models.JSONField(default=dict, blank=True, help_text="Per category: what happened.")
    note = models.TextField(blank=True, help_text="Why the GitHub fallback was used.")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"replica pull {self.result}"

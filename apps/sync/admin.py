"""Read-only admin pages of the background work. The sync run list opens with a status overview:
the last sync per repository, the last export per category (and whether it is behind the data),
the last replica pull. Schedules are edited in django-celery-beat's "Periodic tasks" pages."""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html

from apps.core.admin import ReadOnlyAdminMixin
from apps.sync import selectors
from apps.sync.models import ExportedFile, ExportRun, ReplicaRun, ReplicaSource, SyncRun


def _short(text: str, length: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _pretty(value) -> str:
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False))


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    change_list_template = "admin/sync/syncrun/change_list.html"
    list_display = ("started_at", "repo", "result", "pull_request", "head", "what", "problem")
    list_filter = ("repo", "result")
    date_hierarchy = "started_at"
    fields = (
        ("repo", "repo_name", "result"),
        ("started_at", "finished_at"),
        ("branch", "base_sha", "head_sha"),
        "pull_request",
        "note",
        "error",
        "summary_pretty",
    )
    readonly_fields = ("pull_request", "summary_pretty")

    @admin.display(description="pull request")
    def pull_request(self, run: SyncRun):
        if not run.pr_url:
            return "—"
        return format_html('<a href="{}" target="_blank" rel="noopener">#{}</a>', run.pr_url, run.pr_number)

    @admin.display(description="head")
    def head(self, run: SyncRun) -> str:
        return run.head_sha[:10]

    @admin.display(description="changes")
    def what(self, run: SyncRun) -> str:
        files = run.summary.get("files", {}) if isinstance(run.summary, dict) else {}
        parts = [
            f"{path}: +{d['added']} -{d['removed']} ~{d['modified']}"
            if not d.get("note")
            else f"{path}: {d['note']}"
            for path, d in files.items()
        ]
        return _short("; ".join(parts))

    @admin.display(description="error")
    def problem(self, run: SyncRun) -> str:
        return _short(run.error)

    @admin.display(description="summary")
    def summary_pretty(self, run: SyncRun):
        return _pretty(run.summary)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "status": selectors.background_status()}
        return super().changelist_view(request, extra_context=extra_context)


@admin.register(ExportRun)
class ExportRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("started_at", "category", "result", "files_written", "revision", "problem")
    list_filter = ("result", "category")
    date_hierarchy = "started_at"
    exclude = ("files",)
    readonly_fields = ("files_pretty",)

    @admin.display(description="error")
    def problem(self, run: ExportRun) -> str:
        return _short(run.error)

    @admin.display(description="files")
    def files_pretty(self, run: ExportRun):
        return _pretty(run.files)


@admin.register(ExportedFile)
class ExportedFileAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("path", "category", "format", "short_sha", "size_bytes", "revision", "written_at")
    list_filter = ("format", "category")
    search_fields = ("path", "sha256")

    @admin.display(description="sha256")
    def short_sha(self, file: ExportedFile) -> str:
        return file.sha256[:16]


@admin.register(ReplicaRun)
class ReplicaRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("started_at", "source", "result", "changed", "problem")
    list_filter = ("result", "source")
    date_hierarchy = "started_at"
    exclude = ("summary",)
    readonly_fields = ("summary_pretty",)

    @admin.display(description="note or error")
    def problem(self, run: ReplicaRun) -> str:
        return _short(run.error or run.note)

    @admin.display(description="summary")
    def summary_pretty(self, run: ReplicaRun):
        return _pretty(run.summary)


@admin.register(ReplicaSource)
class ReplicaSourceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("category", "etag", "last_modified", "fetched_at")

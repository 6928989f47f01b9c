"""Download checks in the admin: read-only pages of URLs and checks, the record list's "downloads"
filter, and the rows the desk and record pages show (✓, ✗ with the reason, "checking…").

The record pages themselves belong to moderation (apps/moderation/admin/records.py), which uses
what is here; this app never imports moderation.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.timesince import timesince

from apps.core import clock
from apps.core.admin import ReadOnlyAdminMixin, ReadOnlyInline
from apps.verification import selectors
from apps.verification.models import DownloadCheck, DownloadTarget
from apps.verification.selectors import DownloadState
from apps.verification.targets import TargetSpec

CHECK = "verification.check_downloads"
SYMBOLS = {selectors.OK: "✓", selectors.PROBLEM: "✗", selectors.CHECKING: "…", selectors.UNCHECKED: "·"}


def _expected(spec: TargetSpec) -> str:
    parts = [f"SHA-256 {spec.expected_sha256[:12]}…" if spec.expected_sha256 else "no SHA-256"]
    parts.append(f"{spec.expected_size:,} bytes" if spec.expected_size is not None else "no size")
    return ", ".join(parts)


def state_row(state: DownloadState, *, changed: bool | None = None) -> dict:
    """One URL as the templates show it (`admin/verification/_downloads.html`)."""
    check, now = state.check, clock.now()
    kind = state.state
    if kind == selectors.CHECKING:
        text = f"checking… (queued {timesince(state.requested_at, now=now, depth=1)} ago)"
    elif kind == selectors.UNCHECKED:
        text = "not checked yet"
    else:
        text = check.get_outcome_display() if kind == selectors.PROBLEM else "ok"
    return {
        "spec": state.spec,
        # Only web URLs become links: a record's URL is proposed by anyone (no javascript: links).
        "link": state.spec.url if state.spec.url.lower().startswith(("https://", "http://")) else None,
        "state": kind,
        "symbol": SYMBOLS[kind],
        "text": text,
        "reason": check.reason if check else "",
        "checked_at": check.checked_at if check else None,
        "final_url": check.final_url if check else "",
        "previous": check if kind == selectors.CHECKING else None,
        "expected": _expected(state.spec),
        "target_id": state.target_id,
        "changed": changed,
    }


def state_rows(states: list[DownloadState], *, live: list[TargetSpec] | None = None) -> list[dict]:
    known = set(live) if live is not None else None
    return [state_row(s, changed=None if known is None else s.spec not in known) for s in states]


class DownloadsFilter(admin.SimpleListFilter):
    """The record list's "downloads" filter (the category filter narrows what is computed)."""

    title = "downloads"
    parameter_name = "downloads"
    LABELS = {
        selectors.OK: "all ok",
        selectors.PROBLEM: "a problem",
        selectors.UNCHECKED: "not checked yet",
        selectors.NONE: "no downloads",
    }

    def lookups(self, request, model_admin):
        return list(self.LABELS.items())

    def queryset(self, request, queryset):
        if self.value() not in self.LABELS:
            return queryset
        category = request.GET.get("category__exact") or None
        return queryset.filter(pk__in=selectors.records_in_state(self.value(), category=category))


class CheckInline(ReadOnlyInline):
    model = DownloadCheck
    fields = ("checked_at", "trigger", "outcome", "reason", "http_status", "remote_size", "remote_sha256")
    ordering = ("-checked_at", "-id")
    max_num = 0


@admin.register(DownloadTarget)
class DownloadTargetAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("url", "host", "outcome", "checked", "expected_sha256", "expected_size", "requested_at")
    list_filter = ("latest_check__outcome", "host")
    search_fields = ("url", "expected_sha256")
    list_select_related = ("latest_check",)
    list_per_page = 100
    inlines = [CheckInline]

    @admin.display(description="latest outcome", ordering="latest_check__outcome")
    def outcome(self, target: DownloadTarget):
        check = target.latest_check
        if check is None:
            return "not checked yet"
        return format_html(
            '<span title="{}">{} {}</span>', check.reason, "✓" if check.is_ok else "✗", check.outcome
        )

    @admin.display(description="checked", ordering="latest_check__checked_at")
    def checked(self, target: DownloadTarget):
        return target.latest_check.checked_at if target.latest_check else "—"


@admin.register(DownloadCheck)
class DownloadCheckAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("checked_at", "outcome", "trigger", "target", "http_status", "reason")
    list_filter = ("outcome", "trigger", "target__host")
    search_fields = ("target__url", "reason")
    date_hierarchy = "checked_at"
    list_select_related = ("target",)
    list_per_page = 100

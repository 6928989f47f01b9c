"""The curation dashboard in the admin (Curation analytics → Curation dashboard), for requestors
and approvers (`analytics.view_dashboard`, apps/accounts/roles.py).

Per category: tiles, charts (Chart.js, vendored under static/vendor/chartjs), the deletion-risk
table with the preset as a filter (each row links to the record and to "Propose deletion"), and
the names AI-Horde serves that the reference does not know (each links to "Propose a new
record" with the name filled in). Reads only: every action is a proposal on the desk.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.timesince import timesince

from apps.analytics.categories import LIVE_CATEGORIES
from apps.analytics.deletion_risk import FLAGS, PRESETS
from apps.analytics.models import UsageSnapshot
from apps.analytics.selectors.dashboard import dashboard
from apps.catalog.categories import Category
from apps.catalog.formats.text_names import strip_backend
from apps.core import clock
from apps.core.admin import ReadOnlyAdminMixin

VIEW = "analytics.view_dashboard"


@admin.register(UsageSnapshot)
class DashboardAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The model admin of the snapshot rows is the dashboard page (its list view)."""

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(VIEW)

    def has_module_permission(self, request):
        return request.user.has_perm(VIEW)

    def changelist_view(self, request, extra_context=None):
        if not request.user.has_perm(VIEW):
            raise PermissionDenied
        category = _choice(
            request.GET.get("category"), [c.value for c in LIVE_CATEGORIES], "image_generation"
        )
        preset = _choice(request.GET.get("preset"), list(PRESETS), None)
        board = dashboard(category=Category(category), preset=preset, model=request.GET.get("model") or None)
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Curation dashboard: {category}",
            "board": board,
            "categories": [c.value for c in LIVE_CATEGORIES],
            "presets": PRESETS,
            "flag_names": FLAGS,
            "rows": [_row(record_id, model) for record_id, model in board.risk],
            "unknown_rows": [_unknown_row(board.category, u) for u in board.unknown],
            "charts": _charts(board),
            "snapshot_age": timesince(board.snapshot.as_of, now=clock.now()) if board.snapshot else None,
        }
        return TemplateResponse(request, "admin/analytics/dashboard.html", context)


def _choice(value, allowed: list[str], default):
    return value if value in allowed else default


def _row(record_id: int, model) -> dict:
    return {
        "model": model,
        "flags": [flag.replace("_", " ") for flag in FLAGS if model.flags[flag]],
        "record_url": reverse("admin:catalog_modelrecord_change", args=[record_id]),
        "delete_url": reverse("admin:catalog_modelrecord_propose_delete", args=[record_id]),
    }


def _unknown_row(category: Category, unknown) -> dict:
    name = strip_backend(unknown.name) if category == Category.TEXT_GENERATION else unknown.name
    url = reverse("admin:catalog_modelrecord_propose_new", args=[category.value])
    return {"unknown": unknown, "propose_url": f"{url}?{urlencode({'name': name})}"}


def _charts(board) -> dict:
    return {
        "baselines": {"labels": [b for b, _ in board.baselines], "values": [n for _, n in board.baselines]},
        "top": {
            "labels": [name for name, _, _ in board.top_used],
            "values": [month for _, month, _ in board.top_used],
        },
        "hosts": {"labels": [h for h, _ in board.hosts], "values": [n for _, n in board.hosts]},
        "trend": {
            "model": board.trend_model,
            "labels": [day for day, _, _ in board.trend],
            "usage": [n for _, n, _ in board.trend],
            "workers": [w for _, _, w in board.trend],
        },
    }

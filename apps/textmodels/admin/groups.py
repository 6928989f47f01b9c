"""The text model groups: the list (members, sizes, quantisations, health problems, family) and
a group's page. Groups are not rows: they are the text records' `text_model_group` values, so
the pages are views on the `TextModelGroup` proxy (which gives them their permission)."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode

from apps.core.admin import ReadOnlyAdminMixin
from apps.textmodels import selectors
from apps.textmodels.groups import COMMON_FIELDS, canonical, differing_fields
from apps.textmodels.models import TextModelGroup
from apps.textmodels.overview import health_issues

PAGE_SIZE = 100


def group_url(group: str) -> str:
    return f"{reverse('admin:textmodels_textmodelgroup_group')}?{urlencode({'name': group})}"


def shown(value) -> str:
    """A field value as a reader reads it: strings bare, absent and empty said, the rest as JSON."""
    if value is None:
        return "(absent)"
    if value == "":
        return "(empty)"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def billions(parameters) -> str:
    return f"{parameters / 1e9:g}B" if isinstance(parameters, int) and parameters > 0 else "—"


def primary() -> bool:
    return settings.HMR_REPLICATE_MODE == "PRIMARY"


@admin.register(TextModelGroup)
class TextModelGroupAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    class Media:
        css = {"all": ["hmr/desk.css"]}

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("group/", wrap(self.group_view), name="textmodels_textmodelgroup_group"),
            *super().get_urls(),
        ]

    def _context(self, request, title: str, **context) -> dict:
        request.current_app = self.admin_site.name
        return {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title, **context}

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        overview = selectors.groups_overview(stores=primary())
        query = request.GET.get("q", "").strip()
        problems = request.GET.get("problems") == "1"
        rows = [
            g
            for g in overview.groups
            if (not query or query.lower() in g.group_name.lower())
            and (not problems or any(i.severity == "warning" for i in g.health_issues))
        ]
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("p"))
        context = self._context(
            request,
            "Text model groups",
            page=page,
            rows=[(g, group_url(g.group_name)) for g in page],
            shown=len(rows),
            total=len(overview.groups),
            query=query,
            problems=problems,
            **(extra_context or {}),
        )
        return TemplateResponse(request, "admin/textmodels/group_list.html", context)

    def group_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        group = request.GET.get("name", "")
        view = selectors.group_view(group, stores=primary())
        if view is None:
            raise Http404(f"No text model is in the group {group!r}.")
        members = selectors.group_members(group)
        ids = selectors.record_ids([m.name for m in view.members])
        context = self._context(
            request,
            f"Group {group}",
            group=view,
            members=[(m, ids.get(m.name), billions(m.fields["parameters"])) for m in view.members],
            shared=[(f, shown(view.common_fields[f])) for f in COMMON_FIELDS if f in view.common_fields],
            differing=[
                (f, [(shown(v), len(holders)) for v, holders in values])
                for f, values in differing_fields(members).items()
            ],
            alias=selectors.alias_entry(group) if primary() else None,
            alias_owner=selectors.alias_owner(group) if primary() else None,
            health=health_issues(group, canonical(members)),
            editors=self.store_links(request, group),
            **self.group_extra(request, group),
        )
        return TemplateResponse(request, "admin/textmodels/group_page.html", context)

    def group_extra(self, request, group: str) -> dict:
        """More for the group page's template (the moderation subclass adds its proposal link)."""
        return {}

    def store_links(self, request, group: str) -> list[tuple[str, str]]:
        """Links to the store editors for this group (edit its row, or add one), for users who
        may edit them, on a PRIMARY."""
        if not primary():
            return []
        rows = selectors.store_rows(group)
        links = []
        for label, model, row, initial in (
            ("Aliases of this group", "aliasentry", rows.alias_entry, {"canonical": group}),
            ("Family", "family", rows.family, {"members": group}),
            ("Naming schema", "groupnameschema", rows.name_schema, {"group_name": group}),
        ):
            if row is not None and request.user.has_perm(f"textmodels.change_{model}"):
                links.append(
                    (f"Edit: {label.lower()}", reverse(f"admin:textmodels_{model}_change", args=[row]))
                )
            elif row is None and request.user.has_perm(f"textmodels.add_{model}"):
                add = reverse(f"admin:textmodels_{model}_add")
                links.append((f"Add: {label.lower()}", f"{add}?{urlencode(initial)}"))
        return links

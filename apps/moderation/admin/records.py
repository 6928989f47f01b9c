"""The catalog record pages, as moderation extends them: each record's history (audit events and
changes proposed for it) and the "Propose …" pages. The catalog admin itself stays read-only;
this subclass replaces its registration so that the catalog app does not depend on moderation."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path

from apps.catalog.admin import ModelRecordAdmin
from apps.catalog.categories import CATEGORIES, Category
from apps.catalog.models import ModelRecord
from apps.moderation import selectors
from apps.moderation.admin import proposals
from apps.moderation.admin.common import PROPOSE, may
from apps.moderation.admin.desk import event_rows

admin.site.unregister(ModelRecord)


@admin.register(ModelRecord)
class ModeratedRecordAdmin(ModelRecordAdmin):
    change_form_template = "admin/moderation/record_change_form.html"
    change_list_template = "admin/moderation/record_change_list.html"

    class Media:
        css = {"all": ["hmr/desk.css"]}

    def change_view(self, request, object_id, form_url="", extra_context=None):
        record = self.get_object(request, unquote(object_id))
        if record is not None:
            extra_context = {
                **(extra_context or {}),
                "history": event_rows(selectors.record_history(record.category, record.name)),
                "record_changes": selectors.record_changes(record.category, record.name),
                "can_propose": may(request, PROPOSE)
                and not CATEGORIES[Category(record.category)].managed_elsewhere,
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        category = request.GET.get("category__exact")
        writable = [c.value for c in proposals.writable_categories()]
        extra_context = {
            **(extra_context or {}),
            "can_propose": may(request, PROPOSE),
            "propose_category": category if category in writable else None,
        }
        return super().changelist_view(request, extra_context=extra_context)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("propose/", wrap(self.choose_view), name="catalog_modelrecord_propose"),
            path("propose/<str:category>/", wrap(self.create_view), name="catalog_modelrecord_propose_new"),
            path(
                "<int:record_id>/propose-edit/", wrap(self.edit_view), name="catalog_modelrecord_propose_edit"
            ),
            path(
                "<int:record_id>/propose-delete/",
                wrap(self.delete_view_proposal),
                name="catalog_modelrecord_propose_delete",
            ),
            *super().get_urls(),
        ]

    def choose_view(self, request):
        return proposals.choose_category(self, request)

    def create_view(self, request, category: str):
        if category not in [c.value for c in proposals.writable_categories()]:
            raise Http404(f"No category {category!r} takes proposals.")
        return proposals.propose_create(self, request, Category(category))

    def edit_view(self, request, record_id: int):
        return proposals.propose_edit(self, request, self._record(record_id))

    def delete_view_proposal(self, request, record_id: int):
        return proposals.propose_delete(self, request, self._record(record_id))

    def _record(self, record_id: int) -> ModelRecord:
        record = get_object_or_404(ModelRecord, pk=record_id)
        if CATEGORIES[Category(record.category)].managed_elsewhere:
            raise Http404("This category is managed elsewhere and takes no proposals.")
        return record

"""The catalog record pages, as moderation extends them: each record's history (audit events and
changes proposed for it) and the "Propose …" pages. The catalog admin itself stays read-only;
this subclass replaces its registration so that the catalog app does not depend on moderation.
It also shows each record's download checks (apps/verification): the "downloads" filter, the
checks on the record page, and "Check downloads now" for a record, a selection or a category."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from apps.catalog.admin import ModelRecordAdmin
from apps.catalog.categories import CATEGORIES, Category
from apps.catalog.models import ModelRecord
from apps.moderation import selectors
from apps.moderation.admin import proposals
from apps.moderation.admin.common import PROPOSE, may, require
from apps.moderation.admin.desk import event_rows
from apps.verification import selectors as verification
from apps.verification.admin import CHECK, DownloadsFilter, state_rows
from apps.verification.tasks import queue_record_checks

admin.site.unregister(ModelRecord)


@admin.register(ModelRecord)
class ModeratedRecordAdmin(ModelRecordAdmin):
    change_form_template = "admin/moderation/record_change_form.html"
    change_list_template = "admin/moderation/record_change_list.html"
    list_filter = (*ModelRecordAdmin.list_filter, DownloadsFilter)
    actions = ["check_downloads"]

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
                "download_rows": state_rows(verification.record_states(record)),
                "can_check_downloads": request.user.has_perm(CHECK),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        category = request.GET.get("category__exact")
        writable = [c.value for c in proposals.writable_categories()]
        extra_context = {
            **(extra_context or {}),
            "can_propose": may(request, PROPOSE),
            "propose_category": category if category in writable else None,
            "check_category": category
            if request.user.has_perm(CHECK) and category in self._categories()
            else None,
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
            path(
                "<int:record_id>/check-downloads/",
                wrap(self.check_record_view),
                name="catalog_modelrecord_check_downloads",
            ),
            path(
                "check-downloads/<str:category>/",
                wrap(self.check_category_view),
                name="catalog_modelrecord_check_category",
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

    # --- download checks ---------------------------------------------------------------------

    def has_check_downloads_permission(self, request) -> bool:
        return request.user.has_perm(CHECK)

    @admin.action(description="Check downloads now", permissions=["check_downloads"])
    def check_downloads(self, request, queryset):
        ids = list(queryset.values_list("id", flat=True))
        _told(request, queue_record_checks(record_ids=ids), f"{len(ids)} record(s)")

    @method_decorator(require_POST)
    def check_record_view(self, request, record_id: int):
        require(request, CHECK)
        record = get_object_or_404(ModelRecord, pk=record_id)
        _told(request, queue_record_checks(record_ids=[record.pk]), f"“{record.name}”")
        return redirect(reverse("admin:catalog_modelrecord_change", args=[record.pk]))

    @method_decorator(require_POST)
    def check_category_view(self, request, category: str):
        require(request, CHECK)
        if category not in self._categories():
            raise Http404(f"No category {category!r}.")
        _told(request, queue_record_checks(category=category), f"every {category} record")
        return redirect(f"{reverse('admin:catalog_modelrecord_changelist')}?category__exact={category}")

    @staticmethod
    def _categories() -> list[str]:
        return [c.value for c in Category]


def _told(request, queued: int, what: str) -> None:
    if queued:
        messages.success(
            request, f"Checking {queued} download URL(s) of {what}; the results show on the record pages."
        )
    else:
        messages.info(request, f"Nothing to check: {what} names no download URL.")

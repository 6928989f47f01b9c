"""Review batches: what was approved together, its audit timeline and net changes, "Apply batch".

A proposed batch (changes proposed together, e.g. for every member of a text model group) shows
each change's diff against the live record and "Approve batch" / "Reject batch": approving it
approves its pending changes in it (services.changes_review)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from apps.catalog.categories import Category
from apps.core.admin import ReadOnlyAdminMixin
from apps.core.errors import ApplicationError
from apps.moderation import selectors, services
from apps.moderation.admin.common import (
    APPLY,
    REVIEW,
    admin_actor,
    batch_url,
    may,
    refused_on_replica,
    require,
    tell_apply_report,
)
from apps.moderation.admin.desk import diff_rows, event_rows
from apps.moderation.admin.review import ApproveForm, RejectForm, review
from apps.moderation.models import PendingChange, ReviewBatch

Status = PendingChange.Status


@admin.register(ReviewBatch)
class ReviewBatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    change_form_template = "admin/moderation/reviewbatch/change_form.html"
    list_display = (
        "id",
        "title",
        "approved_username",
        "approved_at",
        "applied_at",
        "change_count",
        "waiting_count",
        "applied_count",
        "rejected_count",
        "state",
    )
    list_display_links = ("id", "title")
    search_fields = ("title", "approved_username")
    date_hierarchy = "approved_at"
    fields = (
        "title",
        ("proposed_username", "proposed_at"),
        ("approved_username", "approved_by", "approved_at"),
        "applied_at",
        "split_from",
    )

    class Media:
        css = {"all": ["hmr/desk.css"]}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_changes=Count("changes"),
                n_waiting=Count("changes", filter=Q(changes__status=Status.APPROVED)),
                n_applied=Count("changes", filter=Q(changes__status=Status.APPLIED)),
                n_rejected=Count("changes", filter=Q(changes__status=Status.REJECTED)),
                n_pending=Count("changes", filter=Q(changes__status=Status.PENDING)),
            )
        )

    @admin.display(description="state")
    def state(self, batch) -> str:
        """proposed (waiting for review), approved (to apply), applied, or closed (nothing left)."""
        if batch.is_proposed:
            return "proposed"
        if batch.n_waiting:
            return "approved"
        return "applied" if batch.n_applied else "closed"

    @admin.display(description="changes", ordering="n_changes")
    def change_count(self, batch) -> int:
        return batch.n_changes

    @admin.display(description="to apply", ordering="n_waiting")
    def waiting_count(self, batch) -> int:
        return batch.n_waiting

    @admin.display(description="applied", ordering="n_applied")
    def applied_count(self, batch) -> int:
        return batch.n_applied

    @admin.display(description="rejected", ordering="n_rejected")
    def rejected_count(self, batch) -> int:
        return batch.n_rejected

    def change_view(self, request, object_id, form_url="", extra_context=None):
        batch = self.get_object(request, unquote(object_id))
        if batch is not None:
            extra_context = {**(extra_context or {}), **self._batch_desk(request, batch)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _batch_desk(self, request, batch: ReviewBatch) -> dict:
        changes = list(batch.changes.order_by("id"))
        net = selectors.batch_net_changes(batch)
        models = [
            {"change": m, "rows": diff_rows(Category(m.category), m.field_diffs)} for m in net.model_changes
        ]
        proposed = [
            {"change": c, "diff": d, "rows": diff_rows(Category(c.category), d.field_diffs)}
            for c, d in selectors.proposed_diffs([c for c in changes if c.status == Status.PENDING])
        ]
        return {
            "batch": batch,
            "summary": selectors.batch_summary(batch),
            "changes": changes,
            "timeline": event_rows(selectors.batch_timeline(batch)),
            "net": net,
            "net_models": models,
            "can_apply": may(request, APPLY) and any(c.status == Status.APPROVED for c in changes),
            "proposed_changes": proposed,
            "can_review": may(request, REVIEW) and bool(proposed),
            "reject_title": f"Rejected by {request.user.get_username()}",
        }

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:batch_id>/apply/", wrap(self.apply_view), name="moderation_reviewbatch_apply"),
            path("<int:batch_id>/approve/", wrap(self.approve_view), name="moderation_reviewbatch_approve"),
            path("<int:batch_id>/reject/", wrap(self.reject_view), name="moderation_reviewbatch_reject"),
            *super().get_urls(),
        ]

    @method_decorator(require_POST)
    def apply_view(self, request, batch_id: int):
        require(request, APPLY)
        batch = get_object_or_404(ReviewBatch, pk=batch_id)
        if not refused_on_replica(request):
            try:
                report = services.batch_apply(batch_id=batch.pk, job_id=None, actor=admin_actor(request.user))
            except ApplicationError as exc:
                messages.error(request, f"Nothing was applied: {exc.message}")
            else:
                tell_apply_report(request, report)
        return redirect(batch_url(batch.pk))

    def approve_view(self, request, batch_id: int):
        return self._review_pending(request, batch_id, ApproveForm)

    def reject_view(self, request, batch_id: int):
        return self._review_pending(request, batch_id, RejectForm)

    @method_decorator(require_POST)
    def _review_pending(self, request, batch_id: int, form_class):
        """Approve or reject every pending change of the batch, as one review."""
        require(request, REVIEW)
        batch = get_object_or_404(ReviewBatch, pk=batch_id)
        form = form_class(request.POST)
        if not refused_on_replica(request):
            pending = list(
                batch.changes.filter(status=Status.PENDING).order_by("id").values_list("id", flat=True)
            )
            if not pending:
                messages.error(request, "Nothing was reviewed: the batch has no pending change.")
            elif form.is_valid():
                review(request, form, pending)
            else:
                errors = [e for field_errors in form.errors.values() for e in field_errors]
                messages.error(request, f"Nothing was reviewed: {' '.join(errors)}")
        return redirect(batch_url(batch.pk))

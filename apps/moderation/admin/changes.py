"""The queue: list with filters and counts per status, the change page (diff, payload against the
live record, lifecycle, audit events), and approve / reject / apply as actions and buttons."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.views.decorators.http import require_POST

from apps.core import clock
from apps.core.admin import ReadOnlyAdminMixin
from apps.core.errors import ApplicationError
from apps.moderation import selectors, services
from apps.moderation.admin import filters
from apps.moderation.admin.common import (
    APPLY,
    REVIEW,
    admin_actor,
    batch_url,
    change_url,
    may,
    refused_on_replica,
    require,
    tell_apply_report,
)
from apps.moderation.admin.desk import change_desk
from apps.moderation.admin.review import ApproveForm, RejectForm, review, review_action
from apps.moderation.models import PendingChange
from apps.verification.admin import CHECK
from apps.verification.models import DownloadCheck
from apps.verification.tasks import queue_download_checks


class QueueChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        self.result_list = list(self.result_list)
        flags = selectors.critical_flags(self.result_list)  # one query for the page's live records
        protected = selectors.protections(self.result_list, flags)  # one query per category
        for change in self.result_list:
            change.critical = flags.get(change.pk)
            change.protection = protected.get(change.pk)


@admin.register(PendingChange)
class PendingChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    change_list_template = "admin/moderation/pendingchange/change_list.html"
    change_form_template = "admin/moderation/pendingchange/change_form.html"
    # What decides first (what, how risky), then who and when. Six columns fit beside the
    # navigation sidebar and the filters at 1280 px; long names wrap. The base version is on the
    # change page.
    list_display = ("id", "summary", "state", "requester", "batch_link", "age")
    list_display_links = ("id", "summary")
    list_filter = (
        "status",
        "category",
        "operation",
        filters.MineFilter,
        filters.RequesterFilter,
        filters.BatchFilter,
        filters.AgeFilter,
    )
    search_fields = ("model_name", "requested_username", "=requested_by")
    ordering = ("-id",)
    list_per_page = 50
    actions = ["approve_as_batch", "reject", "apply_selected"]
    fieldsets = (
        (
            "Details",
            {
                "fields": (
                    ("origin", "payload_format", "base_version"),
                    "notes",
                    "request_metadata",
                    "related_models",
                    "applied_job_id",
                )
            },
        ),
    )

    class Media:
        css = {"all": ["hmr/desk.css"]}

    def get_changelist(self, request, **kwargs):
        return QueueChangeList

    def has_review_permission(self, request) -> bool:
        return request.user.has_perm(REVIEW)

    def has_apply_permission(self, request) -> bool:
        return request.user.has_perm(APPLY)

    # --- columns ---------------------------------------------------------------------------------

    @admin.display(description="change", ordering="model_name")
    def summary(self, change: PendingChange):
        return format_html(
            '<span class="hmr-q-name">{}</span><br><span class="hmr-q-what">{} · {}</span>',
            change.model_name,
            change.get_operation_display(),
            change.get_category_display(),
        )

    @admin.display(description="status", ordering="status")
    def state(self, change: PendingChange):
        return format_html(
            '<span class="hmr-badge hmr-status-{0}">{0}</span>{1}', change.status, self.critical_flag(change)
        )

    @admin.display(description="requester", ordering="requested_username")
    def requester(self, change: PendingChange):
        name, hash_sign, number = (change.requested_username or change.requested_by or "").rpartition("#")
        if not hash_sign:
            return number
        return format_html("{}<wbr>#{}", name, number)  # "Name#1234" wraps before its number

    @admin.display(description="batch", ordering="batch_id")
    def batch_link(self, change: PendingChange):
        if change.batch_id is None:
            return "—"
        return format_html(
            '<a href="{}" title="{}">#{}</a>', batch_url(change.batch_id), change.batch_title, change.batch_id
        )

    @admin.display(description="age", ordering="requested_at")
    def age(self, change: PendingChange) -> str:
        return timesince(change.requested_at, now=clock.now(), depth=1)

    @staticmethod
    def critical_flag(change: PendingChange):
        """ " critical" for an open change that touches a critical field (QueueChangeList sets it),
        and for a change to one of the most used models its approvals ("1 of 2")."""
        if not getattr(change, "critical", None):
            return ""
        protection = getattr(change, "protection", None)
        if protection is None:
            return format_html(' <span class="hmr-critical">{}</span>', "critical")
        return format_html(
            ' <span class="hmr-critical">critical</span> '
            '<span class="hmr-approvals hmr-approvals-{}" title="{}">{}</span>',
            "done" if protection.satisfied else "short",
            protection.reason,
            protection.label,
        )

    # --- pages -----------------------------------------------------------------------------------

    def changelist_view(self, request, extra_context=None):
        mine = admin_actor(request.user).id
        extra_context = {
            "title": "My submissions" if request.GET.get("mine") == "1" else "The review queue",
            **(extra_context or {}),
            "status_counts": selectors.change_status_counts(),
            "my_count": sum(n for _, _, n in selectors.change_status_counts(requested_by=mine)),
        }
        return super().changelist_view(request, extra_context=extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        change = self.get_object(request, unquote(object_id))
        if change is not None:
            extra_context = {**(extra_context or {}), **change_desk(change)}
            extra_context["can_review"] = (
                may(request, REVIEW) and change.status == PendingChange.Status.PENDING
            )
            extra_context["can_apply"] = (
                may(request, APPLY) and change.status == PendingChange.Status.APPROVED
            )
            protection = extra_context["protection"]
            extra_context["can_second_approve"] = (
                may(request, REVIEW)
                and change.status == PendingChange.Status.APPROVED
                and protection is not None
                and not protection.satisfied
                and admin_actor(request.user).id not in [user_id for user_id, _ in protection.approvers]
            )
            extra_context["can_check_downloads"] = request.user.has_perm(CHECK)
            extra_context["approve_form"] = ApproveForm()
            extra_context["reject_form"] = RejectForm(
                initial={"batch_title": f"Rejected by {request.user.get_username()}"}
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:change_id>/approve/", wrap(self.approve_view), name="moderation_pendingchange_approve"
            ),
            path("<int:change_id>/reject/", wrap(self.reject_view), name="moderation_pendingchange_reject"),
            path(
                "<int:change_id>/second-approval/",
                wrap(self.second_approval_view),
                name="moderation_pendingchange_second_approval",
            ),
            path("<int:change_id>/apply/", wrap(self.apply_view), name="moderation_pendingchange_apply"),
            path(
                "<int:change_id>/check-downloads/",
                wrap(self.check_downloads_view),
                name="moderation_pendingchange_check_downloads",
            ),
            *super().get_urls(),
        ]

    # --- buttons of the change page (POST) -------------------------------------------------------

    def approve_view(self, request, change_id: int):
        return self._review_one(request, change_id, ApproveForm)

    def reject_view(self, request, change_id: int):
        return self._review_one(request, change_id, RejectForm)

    @method_decorator(require_POST)
    def _review_one(self, request, change_id: int, form_class):
        require(request, REVIEW)
        change = get_object_or_404(PendingChange, pk=change_id)
        form = form_class(request.POST)
        if not refused_on_replica(request):
            if form.is_valid():
                review(request, form, [change.pk])
            else:
                errors = [e for field_errors in form.errors.values() for e in field_errors]
                messages.error(request, f"Nothing was reviewed: {' '.join(errors)}")
        return redirect(change_url(change.pk))

    @method_decorator(require_POST)
    def second_approval_view(self, request, change_id: int):
        """The second approval of a protected change (it stays in its batch)."""
        require(request, REVIEW)
        change = get_object_or_404(PendingChange, pk=change_id)
        if not refused_on_replica(request):
            form = ApproveForm({"batch_title": change.batch_title or f"Second approval of #{change.pk}"})
            if form.is_valid():
                review(request, form, [change.pk])
        return redirect(change_url(change.pk))

    @method_decorator(require_POST)
    def apply_view(self, request, change_id: int):
        require(request, APPLY)
        change = get_object_or_404(PendingChange, pk=change_id)
        if not refused_on_replica(request):
            try:
                report = services.changes_apply(
                    change_ids=[change.pk], job_id=None, actor=admin_actor(request.user), single=True
                )
            except ApplicationError as exc:
                report = services.ApplyReport(
                    failed_change_id=change.pk, failed_error=exc.message, failed_status=exc.status
                )
            tell_apply_report(request, report)
        return redirect(change_url(change.pk))

    @method_decorator(require_POST)
    def check_downloads_view(self, request, change_id: int):
        require(request, CHECK)
        change = get_object_or_404(PendingChange, pk=change_id)
        specs = selectors.proposed_downloads(change)
        queued = queue_download_checks(specs, DownloadCheck.Trigger.ON_DEMAND) if specs else 0
        if queued:
            messages.success(request, f"Checking {queued} download URL(s) of change #{change.pk}.")
        else:
            messages.info(request, f"Nothing to check: change #{change.pk} names no download URL.")
        return redirect(change_url(change.pk))

    # --- bulk actions ----------------------------------------------------------------------------

    @admin.action(description="Approve as batch…", permissions=["review"])
    def approve_as_batch(self, request, queryset):
        if refused_on_replica(request):
            return None
        return review_action(self, request, queryset, ApproveForm, "approve_as_batch", "Approve as a batch")

    @admin.action(description="Reject…", permissions=["review"])
    def reject(self, request, queryset):
        if refused_on_replica(request):
            return None
        return review_action(self, request, queryset, RejectForm, "reject", "Reject changes")

    @admin.action(description="Apply selected", permissions=["apply"])
    def apply_selected(self, request, queryset):
        require(request, APPLY)
        if refused_on_replica(request):
            return
        ids = list(queryset.order_by("id").values_list("id", flat=True))
        try:
            report = services.changes_apply(change_ids=ids, job_id=None, actor=admin_actor(request.user))
        except ApplicationError as exc:
            messages.error(request, f"Nothing was applied: {exc.message}")
            return
        tell_apply_report(request, report)

"""Approve and reject: the intermediate pages of the bulk actions and the change page's buttons.

Both call `changes_review` once; its refusals (a change no longer pending, …) come back as
messages. The forms only make sure a title or a reason was given before asking the service.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.html import format_html

from apps.core.errors import ApplicationError
from apps.moderation import services
from apps.moderation.admin.common import REVIEW, admin_actor, batch_url, change_links, require
from apps.moderation.admin.desk import download_rows, review_rows


class ApproveForm(forms.Form):
    batch_title = forms.CharField(
        max_length=120,
        label="Batch title",
        help_text="Names what is approved together, e.g. “Week 12: SDXL fixes”. Required.",
        error_messages={"required": "Give the batch a title."},
        widget=forms.TextInput(attrs={"size": 60, "autofocus": True}),
    )


class RejectForm(forms.Form):
    reject_reason = forms.CharField(
        max_length=500,
        label="Reason",
        help_text="Shown to the requester. Required.",
        error_messages={"required": "Say why the changes are rejected."},
        widget=forms.Textarea(attrs={"rows": 3, "cols": 70, "autofocus": True}),
    )
    batch_title = forms.CharField(
        max_length=120, label="Batch title", widget=forms.TextInput(attrs={"size": 60})
    )


def review(request, form: forms.Form, change_ids: list[int]) -> bool:
    """Approve (ApproveForm) or reject (RejectForm) the changes; True when the service agreed."""
    require(request, REVIEW)
    data = form.cleaned_data
    rejecting = isinstance(form, RejectForm)
    try:
        result = services.changes_review(
            batch_title=data["batch_title"],
            approved_ids=[] if rejecting else change_ids,
            rejected_ids=change_ids if rejecting else [],
            reject_reason=data.get("reject_reason"),
            actor=admin_actor(request.user),
        )
    except ApplicationError as exc:
        messages.error(request, f"Nothing was reviewed: {exc.message}")
        return False
    if rejecting:
        messages.success(
            request, format_html("Rejected {} ({}).", change_links(result.rejected), data["reject_reason"])
        )
    else:
        fresh = [c for c in result.approved if c.batch_id == (result.batch.pk if result.batch else None)]
        seconds = [c for c in result.approved if c not in fresh]
        if fresh:
            messages.success(
                request,
                format_html(
                    'Approved {} as batch <a href="{}">#{} “{}”</a>. Apply it when ready.',
                    change_links(fresh),
                    batch_url(result.batch.pk),
                    result.batch.pk,
                    result.batch_title,
                ),
            )
        if seconds:
            messages.success(
                request,
                format_html(
                    "Second approval given to {}: 2 of 2 approvals. Apply it when ready.",
                    change_links(seconds),
                ),
            )
    return True


def review_action(model_admin, request, queryset, form_class, action: str, title: str):
    """A bulk action with an intermediate page: ask (GET-like first pass), then review on confirm."""
    require(request, REVIEW)
    changes = list(queryset.order_by("id"))
    if "confirm" in request.POST:
        form = form_class(request.POST)
        if form.is_valid():
            review(request, form, [c.pk for c in changes])
            return None  # back to the queue, with the message
    else:
        initial = {"batch_title": f"Rejected by {request.user.get_username()}"} if action == "reject" else {}
        form = form_class(initial=initial)
    for change in changes:
        change.download_rows = download_rows(change)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": model_admin.model._meta,
        "changes": changes,
        "reviewed": review_rows(changes),
        "form": form,
        "action": action,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "not_pending": [c for c in changes if c.status != "pending"],
        "download_problems": sum(any(r["state"] == "problem" for r in c.download_rows) for c in changes),
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/moderation/pendingchange/review.html", context)

"""Proposing changes from the catalog pages: an edit, a deletion, a new record.

A valid form is first shown as its diff against the live record ("Submit proposal" / "Back to
editing"); nothing is queued until it is confirmed, and a confirmation made after the record
changed shows the new diff instead. The confirmation ends in one call to `change_enqueue`
(origin "admin"); the catalog is never written here. The views are mounted on the catalog
record admin (admin/records.py).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.html import format_html

from apps.catalog.categories import CATEGORIES, Category
from apps.catalog.formats import v2
from apps.catalog.formats.text_writes import TextWriteError, text_data_complete, text_payload_prepare
from apps.catalog.models import ModelRecord
from apps.core.errors import ApplicationError
from apps.moderation import selectors, services
from apps.moderation.admin.common import PROPOSE, admin_actor, change_url, refused_on_replica, require
from apps.moderation.admin.desk import diff_rows
from apps.moderation.admin.proposal_forms import (
    initial_from_data,
    payload_errors_to_form,
    payload_from_form,
    proposal_form_class,
)
from apps.moderation.models import PendingChange

Op = PendingChange.Operation


def writable_categories() -> list[Category]:
    return [c for c in Category if not CATEGORIES[c].managed_elsewhere]


class DeleteForm(forms.Form):
    notes = forms.CharField(
        required=False,
        label="Notes for the approvers",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="Why this record should go.",
    )


def _proposal(form, *, category: Category, operation: str, name: str, payload: dict | None = None):
    return services.Proposal(
        category=category,
        operation=operation,
        name=name,
        payload=payload,
        origin="admin",
        notes=form.cleaned_data["notes"] or None,
        request_metadata={"route": f"admin_propose_{operation}"},
    )


def _put_refusal(form, exc: ApplicationError) -> None:
    """The service's refusal next to the field it names (else above the form)."""
    if isinstance(exc, services.PayloadInvalid):
        payload_errors_to_form(form, exc.errors)
    else:
        form.add_error("name" if "name" in form.fields else None, exc.message)


def _version_label(version: int | None) -> str:
    return "new" if version is None else str(version)


REVIEW_TITLES = {
    Op.UPDATE: "Review your edit of {name}",
    Op.DELETE: "Review the deletion of {name}",
    Op.CREATE: "Review the new {category} record {name}",
}


def _review_or_submit(model_admin, request, form, proposal: services.Proposal, **context):
    """A valid form first shows its proposal's diff ("Submit proposal" / "Back to editing"); only
    the confirmation, against the record version that was reviewed, queues it. None: show the
    form again (going back, or a refusal put on it)."""
    if "back" in request.POST:
        return None
    try:
        checked = services.change_check(proposal=proposal)
    except ApplicationError as exc:
        _put_refusal(form, exc)
        return None
    reviewed = request.POST.get("reviewed_version")
    stale = reviewed is not None and reviewed != _version_label(checked.base_version)
    if "confirm" in request.POST and reviewed is not None and not stale:
        try:
            change = services.change_enqueue(proposal=proposal, actor=admin_actor(request.user))
        except ApplicationError as exc:  # the record changed between the check and the write
            _put_refusal(form, exc)
            return None
        return _proposed(request, change)
    diff = selectors.proposal_diff(
        category=proposal.category,
        name=checked.name,
        operation=proposal.operation,
        payload_format=proposal.payload_format,
        current=checked.current,
        payload=checked.payload,
    )
    return _page(
        model_admin,
        request,
        form,
        REVIEW_TITLES[proposal.operation].format(name=checked.name, category=proposal.category.value),
        mode="review",
        diff=diff,
        diff_rows=diff_rows(proposal.category, diff.field_diffs),
        reviewed_version=_version_label(checked.base_version),
        stale=stale,
        **context,
    )


def _proposed(request, change: PendingChange):
    messages.success(
        request,
        format_html(
            'Proposed change <a href="{}">#{}</a>: {} of {} “{}”. An approver will review it; '
            "nothing changes until it is approved and applied.",
            change_url(change.pk),
            change.pk,
            change.operation,
            change.category,
            change.model_name,
        ),
    )
    return redirect(change_url(change.pk))


def _changes_nothing(category: Category, payload: dict, record: ModelRecord) -> bool:
    """Whether the edit would leave the record as it is (then it is not worth an approver's time)."""
    try:
        prepared = text_payload_prepare(dict(payload)) if category == Category.TEXT_GENERATION else payload
        data = v2.validate_record(category, prepared)
    except (v2.V2ValidationError, TextWriteError):
        return False  # the service reports what is wrong
    if category == Category.TEXT_GENERATION:
        data = text_data_complete(data)
    return data == v2.strip_residue(record.data)


def propose_edit(model_admin, request, record: ModelRecord):
    require(request, PROPOSE)
    category = Category(record.category)
    form_class = proposal_form_class(category, creating=False)
    form = form_class(request.POST or None, initial=initial_from_data(category, record.data))
    title = f"Propose an edit of {record.name}"
    if request.method == "POST" and not refused_on_replica(request) and form.is_valid():
        payload = payload_from_form(category, form.cleaned_data, record.name, record.data)
        if _changes_nothing(category, payload, record):
            form.add_error(None, "This edit changes nothing; change a field or go back.")
        else:
            proposal = _proposal(
                form, category=category, operation=Op.UPDATE, name=record.name, payload=payload
            )
            if response := _review_or_submit(model_admin, request, form, proposal, record=record):
                return response
    return _page(model_admin, request, form, title, record=record, mode="edit")


def propose_delete(model_admin, request, record: ModelRecord):
    require(request, PROPOSE)
    form = DeleteForm(request.POST or None)
    title = f"Propose deleting {record.name}"
    if request.method == "POST" and not refused_on_replica(request) and form.is_valid():
        proposal = _proposal(form, category=Category(record.category), operation=Op.DELETE, name=record.name)
        if response := _review_or_submit(model_admin, request, form, proposal, record=record):
            return response
    return _page(model_admin, request, form, title, record=record, mode="delete")


def propose_create(model_admin, request, category: Category):
    require(request, PROPOSE)
    # `?name=` prefills the name (the dashboard's "served but unknown" list links here).
    initial = {"name": request.GET["name"]} if request.GET.get("name") else None
    form = proposal_form_class(category, creating=True)(request.POST or None, initial=initial)
    title = f"Propose a new {category.value} record"
    if request.method == "POST" and not refused_on_replica(request) and form.is_valid():
        name = form.cleaned_data["name"]
        payload = payload_from_form(category, form.cleaned_data, name)
        proposal = _proposal(form, category=category, operation=Op.CREATE, name=name, payload=payload)
        if response := _review_or_submit(model_admin, request, form, proposal, category=category):
            return response
    return _page(model_admin, request, form, title, category=category, mode="create")


def choose_category(model_admin, request):
    require(request, PROPOSE)
    return _page(
        model_admin, request, None, "Propose a new record", categories=writable_categories(), mode="choose"
    )


def _page(model_admin, request, form, title: str, **context):
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(
        request,
        "admin/moderation/propose.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": title,
            "form": form,
            **context,
        },
    )

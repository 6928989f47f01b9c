"""Proposing changes from the catalog pages: an edit, a deletion, a new record.

Each page ends in one call to `change_enqueue` (origin "admin"); the catalog is never written
here. The views are mounted on the catalog record admin (admin/records.py).
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
from apps.moderation import services
from apps.moderation.admin.common import PROPOSE, admin_actor, change_url, refused_on_replica, require
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


def _submit(request, form, *, category: Category, operation: str, name: str, payload: dict | None = None):
    """Queue the proposal and go to its change page; or None, the refusal put on the form (next to
    the field the service names)."""
    proposal = services.Proposal(
        category=category,
        operation=operation,
        name=name,
        payload=payload,
        origin="admin",
        notes=form.cleaned_data["notes"] or None,
        request_metadata={"route": f"admin_propose_{operation}"},
    )
    try:
        change = services.change_enqueue(proposal=proposal, actor=admin_actor(request.user))
    except services.PayloadInvalid as exc:
        payload_errors_to_form(form, exc.errors)
        return None
    except ApplicationError as exc:
        form.add_error("name" if "name" in form.fields else None, exc.message)
        return None
    return _proposed(request, change)


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
    if request.method == "POST" and not refused_on_replica(request) and form.is_valid():
        payload = payload_from_form(category, form.cleaned_data, record.name, record.data)
        if _changes_nothing(category, payload, record):
            form.add_error(None, "This edit changes nothing; change a field or go back.")
        elif response := _submit(
            request, form, category=category, operation=Op.UPDATE, name=record.name, payload=payload
        ):
            return response
    return _page(model_admin, request, form, f"Propose an edit of {record.name}", record=record, mode="edit")


def propose_delete(model_admin, request, record: ModelRecord):
    require(request, PROPOSE)
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and not refused_on_replica(request) and form.is_valid():
        category = Category(record.category)
        if response := _submit(request, form, category=category, operation=Op.DELETE, name=record.name):
            return response
    return _page(model_admin, request, form, f"Propose deleting {record.name}", record=record, mode="delete")


def propose_create(model_admin, request, category: Category):
    require(request, PROPOSE)
    # `?name=` prefills the name (the dashboard's "served but unknown" list links here).
    initial = {"name": request.GET["name"]} if request.GET.get("name") else None
    form = proposal_form_class(category, creating=True)(request.POST or None, initial=initial)
    if request.method == "POST" and not refused_on_replica(request) and form.is_valid():
        name = form.cleaned_data["name"]
        payload = payload_from_form(category, form.cleaned_data, name)
        if response := _submit(
            request, form, category=category, operation=Op.CREATE, name=name, payload=payload
        ):
            return response
    return _page(
        model_admin, request, form, f"Propose a new {category.value} record", category=category, mode="create"
    )


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

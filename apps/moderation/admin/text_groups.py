"""The text model group pages, as moderation extends them: "Propose for every member…".

A form over the fields a group's members share (prefilled with the shared values); "Preview"
shows what each member's update would change (one line per member, its diff inside); "Submit
proposal" queues exactly what was previewed (other values are previewed first): one update per
member in one proposed batch titled after the group (`services.group_common_fields_propose`), which an
approver approves and applies from its batch page. The group page also lists the open changes
of its members. This subclass replaces the text-model app's registration, so that app does not
depend on moderation (as records.py does for the catalog).
"""

from __future__ import annotations

import hashlib
import json

from django import forms
from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from apps.catalog.categories import Category
from apps.catalog.models import ModelRecord
from apps.core.errors import ApplicationError
from apps.moderation import diff, selectors, services
from apps.moderation.admin.common import PROPOSE, admin_actor, batch_url, may, refused_on_replica, require
from apps.moderation.admin.desk import diff_rows
from apps.textmodels import selectors as text_selectors
from apps.textmodels.admin.groups import TextModelGroupAdmin, group_url
from apps.textmodels.groups import COMMON_FIELDS
from apps.textmodels.models import TextModelGroup

TEXT = Category.TEXT_GENERATION
admin.site.unregister(TextModelGroup)


class CommonFieldsForm(forms.Form):
    """Tick the fields to set; each ticked value replaces every member's (tags: the whole list)."""

    title = forms.CharField(
        required=False,
        max_length=120,
        label="Batch title",
        help_text="Empty: “Group '<name>': <fields> for every member”.",
        widget=forms.TextInput(attrs={"size": 60}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in COMMON_FIELDS:
            self.fields[f"set_{name}"] = forms.BooleanField(required=False, label=f"Set {name}")
            self.fields[name] = self._value_field(name)

    @staticmethod
    def _value_field(name: str) -> forms.Field:
        if name == "nsfw":
            return forms.TypedChoiceField(
                choices=[("false", "false"), ("true", "true")], coerce=lambda v: v == "true", required=False
            )
        if name in ("description", "tags"):
            help_text = "One per line." if name == "tags" else ""
            widget = forms.Textarea(attrs={"rows": 3, "cols": 70})
            return forms.CharField(required=False, widget=widget, help_text=help_text)
        return forms.CharField(required=False, widget=forms.TextInput(attrs={"size": 60}))

    @staticmethod
    def initial_from(shared: dict) -> dict:
        initial = {}
        for name, value in shared.items():
            if name == "tags":
                value = "\n".join(value)
            elif name == "nsfw":
                value = "true" if value else "false"
            initial[name] = value
        return initial

    def clean(self):
        data = super().clean()
        if not any(data.get(f"set_{name}") for name in COMMON_FIELDS):
            raise forms.ValidationError("Tick at least one field to set.")
        return data

    def chosen(self) -> dict:
        data, fields = self.cleaned_data, {}
        for name in COMMON_FIELDS:
            if data.get(f"set_{name}"):
                value = data[name]
                fields[name] = (
                    [t.strip() for t in value.splitlines() if t.strip()] if name == "tags" else value
                )
        return fields

    def value_rows(self):
        """(tick, value) pairs for the template, in COMMON_FIELDS order."""
        return [(self[f"set_{name}"], self[name]) for name in COMMON_FIELDS]


def preview(group: str, fields: dict) -> list[dict]:
    """Each member's update as it would be queued, against its live record (nothing is written)."""
    proposals = services.group_common_fields_proposals(group=group, fields=fields, origin="admin")
    records = {
        r.name: r
        for r in ModelRecord.objects.filter(category=TEXT.value, name__in=[p.name for p in proposals])
    }
    rows = []
    for proposal in proposals:
        found = diff.change_diff(
            change_id=0,
            category=TEXT,
            model_name=proposal.name,
            operation=proposal.operation,
            current=selectors.record_state(records[proposal.name], "v2"),
            proposed=services.proposal_payload(proposal=proposal),
        )
        rows.append({"name": proposal.name, "diff": found, "rows": diff_rows(TEXT, found.field_diffs)})
    return rows


def _fingerprint(group: str, form: CommonFieldsForm) -> str:
    """Names what a preview showed, so "Submit proposal" queues exactly that."""
    shown = json.dumps([group, form.chosen(), form.cleaned_data["title"]], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(shown.encode()).hexdigest()[:24]


@admin.register(TextModelGroup)
class ModeratedTextGroupAdmin(TextModelGroupAdmin):
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("group/propose/", wrap(self.propose_view), name="textmodels_textmodelgroup_propose"),
            *super().get_urls(),
        ]

    def group_extra(self, request, group: str) -> dict:
        names = [name for name, _ in text_selectors.group_members(group)]
        propose = f"{reverse('admin:textmodels_textmodelgroup_propose')}?{urlencode({'name': group})}"
        return {
            "propose_url": propose if may(request, PROPOSE) else None,
            "open_changes": selectors.open_changes(TEXT.value, names),
        }

    def propose_view(self, request):
        require(request, PROPOSE)
        group = request.POST.get("name") or request.GET.get("name", "")
        view = text_selectors.group_view(group, stores=False)
        if view is None:
            raise Http404(f"No text model is in the group {group!r}.")
        form = CommonFieldsForm(
            request.POST or None, initial=CommonFieldsForm.initial_from(view.common_fields)
        )
        previewed, fingerprint, unseen = None, None, False
        if request.method == "POST" and not refused_on_replica(request) and form.is_valid():
            fingerprint = _fingerprint(group, form)
            try:
                if "propose" in request.POST and request.POST.get("previewed") == fingerprint:
                    return self._propose(request, group, form)
                # Only what was previewed is proposed: other values are previewed first.
                unseen = "propose" in request.POST
                previewed = preview(group, form.chosen())
            except services.PayloadInvalid as exc:
                form.add_error(
                    None, "; ".join(f"{'.'.join(map(str, e['loc'][1:]))}: {e['msg']}" for e in exc.errors)
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
        context = self._context(
            request,
            f"Propose for every member of {group}",
            group=view,
            form=form,
            preview=previewed,
            previewed=fingerprint,
            unseen=unseen,
            changing=sum(1 for p in previewed or [] if p["rows"]),
            group_link=group_url(group),
        )
        return TemplateResponse(request, "admin/moderation/group_propose.html", context)

    def _propose(self, request, group: str, form: CommonFieldsForm):
        proposed = services.group_common_fields_propose(
            group=group,
            fields=form.chosen(),
            actor=admin_actor(request.user),
            origin="admin",
            title=form.cleaned_data["title"] or None,
        )
        messages.success(
            request,
            format_html(
                'Proposed {} changes as batch <a href="{}">#{} “{}”</a>. '
                "Nothing changes until an approver approves and applies it.",
                len(proposed.changes),
                batch_url(proposed.batch.pk),
                proposed.batch.pk,
                proposed.batch.title,
            ),
        )
        return redirect(batch_url(proposed.batch.pk))

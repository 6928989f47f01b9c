"""Per-category proposal forms, generated from the v2 field specs (`catalog.formats.v2`).

Typed inputs for str / bool / int, one item per line for lists, JSON for dict / config /
finetune. The form only parses what was typed; the record itself is validated by
`change_enqueue`, whose errors (`PayloadInvalid.errors`, pydantic-style) are put back next to the
fields they name.
"""

from __future__ import annotations

import json
import re

from django import forms

from apps.catalog.categories import Category
from apps.catalog.formats.v2 import CONTROLNET_STYLES, IMAGE_STYLES, KNOWN_BASELINES, FieldSpec, record_fields

# Suggestions offered while typing (a <datalist>); any value may still be typed.
SUGGESTIONS: dict[tuple[Category, str], tuple[str, ...]] = {
    (Category.IMAGE_GENERATION, "baseline"): KNOWN_BASELINES,
    (Category.IMAGE_GENERATION, "style"): IMAGE_STYLES,
    (Category.CONTROLNET, "controlnet_style"): CONTROLNET_STYLES,
}
JSON_KINDS = frozenset({"dict", "config", "finetune"})
_UNKNOWN_FIELD = re.compile(r"Unknown (\w+):")


class SuggestingInput(forms.TextInput):
    """A text input with a <datalist> of suggestions (plain HTML, no script)."""

    template_name = "admin/moderation/widgets/suggesting_input.html"

    def __init__(self, suggestions, attrs=None):
        super().__init__(attrs)
        self.suggestions = suggestions

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["list"] = f"{context['widget']['attrs'].get('id', name)}-choices"
        context["widget"]["suggestions"] = self.suggestions
        return context


class PrettyJSONField(forms.JSONField):
    def prepare_value(self, value):
        if value is None:
            return ""
        if isinstance(value, str):  # text as typed (valid or not)
            return value
        return json.dumps(value, indent=2, ensure_ascii=False)

    def bound_data(self, data, initial):
        return data  # keep the text as typed when the form is shown again with errors


def _form_field(category: Category, spec: FieldSpec) -> forms.Field:
    help_text = spec.description
    if spec.kind == "bool":
        return forms.BooleanField(required=False, help_text=help_text)
    if spec.kind == "int":
        return forms.IntegerField(required=spec.required, help_text=help_text)
    if spec.kind == "strlist":
        return forms.CharField(
            required=spec.required,
            widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
            help_text=f"{help_text} One per line.".strip(),
        )
    if spec.kind == "str":
        suggestions = SUGGESTIONS.get((category, spec.name))
        if suggestions:
            widget = SuggestingInput(suggestions, attrs={"size": 40})
        elif spec.name == "description":
            widget = forms.Textarea(attrs={"rows": 3, "cols": 80})
        else:
            widget = forms.TextInput(attrs={"size": 80})
        return forms.CharField(required=spec.required, widget=widget, help_text=help_text)
    return PrettyJSONField(
        required=spec.required,
        widget=forms.Textarea(
            attrs={"rows": 12 if spec.kind == "config" else 4, "cols": 80, "class": "hmr-json-input"}
        ),
        help_text=f"{help_text} JSON.".strip(),
    )


def proposal_form_class(category: Category, *, creating: bool) -> type[forms.Form]:
    """The form of a category's records; an edit keeps the record's name (renaming is not an edit)."""
    specs = [s for s in record_fields(category) if creating or s.name != "name"]
    # Typed fields first, the JSON ones (files, finetune series, requirements, settings) after them.
    specs.sort(key=lambda spec: spec.kind in JSON_KINDS)
    fields: dict[str, forms.Field] = {spec.name: _form_field(category, spec) for spec in specs}
    fields["notes"] = forms.CharField(
        required=False,
        label="Notes for the approvers",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text="Why this change; where the information comes from.",
    )
    return type(
        f"{category.value.title()}ProposalForm", (forms.Form,), {**fields, "required_css_class": "required"}
    )


def initial_from_data(category: Category, data: dict) -> dict:
    """A record's data as the form's initial values."""
    initial = {}
    for spec in record_fields(category):
        value = data.get(spec.name)
        if value is not None:
            initial[spec.name] = "\n".join(value) if spec.kind == "strlist" else value
    return initial


def payload_from_form(category: Category, cleaned: dict, name: str, current: dict | None = None) -> dict:
    """The v2 payload the form stands for. What was left empty is left out, unless the record
    (`current`, for an edit) holds that field empty too: text records keep their "" and []."""
    current = current or {}
    payload: dict = {"name": name}
    for spec in record_fields(category):
        if spec.name == "name":
            continue
        value = cleaned.get(spec.name)
        if spec.kind == "strlist":
            value = [line.strip() for line in (value or "").splitlines() if line.strip()]
        if value is None or value == "" or value == []:
            if current.get(spec.name) in ("", []):
                payload[spec.name] = current[spec.name]
            continue
        payload[spec.name] = value
    return payload


def payload_errors_to_form(form: forms.Form, errors: list[dict]) -> None:
    """Put the service's validation errors next to the fields they name (else above the form)."""
    for error in errors:
        loc = [str(part) for part in error.get("loc", [])][1:]  # without the leading "body"
        message = error.get("msg", "Invalid value")
        field = loc[0] if loc and loc[0] in form.fields else None
        if field is None and (named := _UNKNOWN_FIELD.search(message)) and named.group(1) in form.fields:
            field = named.group(1)  # "Unknown baseline: x" is reported on the whole record
        if field is not None and len(loc) > 1:
            message = f"{'.'.join(loc[1:])}: {message}"
        elif field is None and loc:
            message = f"{'.'.join(loc)}: {message}"
        form.add_error(field, message)

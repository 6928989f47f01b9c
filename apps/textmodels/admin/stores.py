"""Editors for the text-model stores: alias entries, families, naming schemas.

The list pages are Django's; adding and editing use a plain form whose submit calls the store's
service (`apps.textmodels.services`: one transaction, audited), so a refusal (an alias another
group owns, a group already in a family) comes back on the form and nothing is saved. Deleting
goes through the service too. Writes need the model's add/change/delete permission (requestors
hold them, as upstream's API lets requestors write the stores) and a PRIMARY.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from apps.accounts.selectors import admin_user_actor
from apps.core.errors import ApplicationError
from apps.textmodels import selectors, services
from apps.textmodels.admin.groups import group_url, primary
from apps.textmodels.groups import DEFAULT_SCHEMA
from apps.textmodels.models import NAME_LENGTH, AliasEntry, Family, GroupNameSchema

LIST_HELP = "One per line."


def _lines(text: str) -> list[str]:
    values = [line.strip() for line in text.splitlines() if line.strip()]
    too_long = [v for v in values if len(v) > NAME_LENGTH]
    if too_long:
        raise forms.ValidationError(f"At most {NAME_LENGTH} characters per name: {too_long[0][:40]}…")
    return values


def _words(text: str) -> list[str]:
    return [w for w in text.replace(",", " ").split() if w]


class AliasEntryForm(forms.Form):
    canonical = forms.CharField(max_length=NAME_LENGTH, help_text="The canonical group's name.")
    aliases = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 60}),
        help_text="Group names that stand for it, one per line. An alias belongs to one canonical group.",
    )

    def clean_aliases(self):
        return _lines(self.cleaned_data["aliases"])


class FamilyForm(forms.Form):
    name = forms.CharField(max_length=NAME_LENGTH, label="Family name")
    members = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8, "cols": 60}),
        help_text="Group names, one per line. A group belongs to one family at most.",
    )

    def clean_members(self):
        return _lines(self.cleaned_data["members"])


class NameSchemaForm(forms.Form):
    group_name = forms.CharField(
        max_length=NAME_LENGTH, help_text="The group's name (an alias takes its canonical's)."
    )
    separator = forms.CharField(max_length=16, strip=False, initial=DEFAULT_SCHEMA["separator"])
    part_order = forms.CharField(
        initial=", ".join(DEFAULT_SCHEMA["part_order"]),
        help_text="The parts in written order: base, size, variant, version, quant, extra:DATE.",
        widget=forms.TextInput(attrs={"size": 60}),
    )
    author_included = forms.BooleanField(required=False, initial=True)
    common_author = forms.CharField(required=False, max_length=NAME_LENGTH)
    template = forms.CharField(required=False, widget=forms.TextInput(attrs={"size": 60}))
    extra_parts = forms.CharField(required=False, help_text="Labels of the extra segments, comma-separated.")

    def clean_part_order(self):
        return _words(self.cleaned_data["part_order"])

    def clean_extra_parts(self):
        return _words(self.cleaned_data["extra_parts"])


class StoreAdmin(admin.ModelAdmin):
    """A store's list page from Django; its add, change and delete pages through the services."""

    form_class: type[forms.Form]
    key: str  # the form field naming the row (not editable once it exists)
    list_field: str  # where refusals are shown
    audit_category: str
    change_form_template = "admin/textmodels/store_form.html"

    class Media:
        css = {"all": ["hmr/desk.css"]}

    def has_add_permission(self, request):
        return primary() and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return primary() and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return primary() and super().has_delete_permission(request, obj)

    # --- what each store says ---------------------------------------------------------------------

    def initial(self, obj) -> dict:
        raise NotImplementedError

    def save(self, data: dict, actor) -> None:
        raise NotImplementedError

    def remove(self, obj, actor) -> None:
        raise NotImplementedError

    def key_of(self, obj) -> str:
        raise NotImplementedError

    # --- pages ------------------------------------------------------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        initial = {k: v for k, v in request.GET.items() if k in self.form_class.base_fields}
        return self._edit(request, None, initial)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(f"No {self.model._meta.verbose_name} with id {object_id!r}.")
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return self._edit(request, obj, self.initial(obj))

    def _edit(self, request, obj, initial: dict):
        editable = self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        form = self.form_class(
            request.POST if request.method == "POST" and editable else None, initial=initial
        )
        if obj is not None:
            form.fields[self.key].disabled = True
        if not editable:
            for field in form.fields.values():
                field.disabled = True
        if form.is_bound and form.is_valid():
            try:
                self.save(form.cleaned_data, admin_user_actor(request.user))
            except ApplicationError as exc:
                form.add_error(self.list_field if exc.status in (409, 422) else None, exc.message)
            else:
                name = form.cleaned_data[self.key]
                messages.success(request, f"Saved {self.model._meta.verbose_name} “{name}”.")
                return redirect(reverse(f"admin:textmodels_{self.model._meta.model_name}_changelist"))
        key = self.key_of(obj) if obj else None
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"{'Edit' if obj else 'Add'} {self.model._meta.verbose_name}{f' {key}' if key else ''}",
            "form": form,
            "original": obj,
            "editable": editable,
            "can_delete": obj is not None and self.has_delete_permission(request, obj),
            "history": selectors.store_history(self.audit_category, key) if key else [],
            "group_link": group_url(key) if key and self.key != "name" else None,
        }
        return TemplateResponse(request, self.change_form_template, context)

    def delete_model(self, request, obj):
        self.remove(obj, admin_user_actor(request.user))

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.remove(obj, admin_user_actor(request.user))


@admin.register(AliasEntry)
class AliasEntryAdmin(StoreAdmin):
    form_class, key, list_field, audit_category = AliasEntryForm, "canonical", "aliases", services.ALIASES
    list_display = ("canonical", "alias_list", "updated_at")
    search_fields = ("canonical", "alias_rows__alias")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("alias_rows")

    @admin.display(description="aliases")
    def alias_list(self, entry) -> str:
        return ", ".join(a.alias for a in entry.alias_rows.all()) or "—"

    def initial(self, obj):
        return {"canonical": obj.canonical, "aliases": "\n".join(a.alias for a in obj.alias_rows.all())}

    def key_of(self, obj):
        return obj.canonical

    def save(self, data, actor):
        services.alias_entry_set(canonical=data["canonical"], aliases=data["aliases"], actor=actor)

    def remove(self, obj, actor):
        services.alias_entry_delete(canonical=obj.canonical, actor=actor)


@admin.register(Family)
class FamilyAdmin(StoreAdmin):
    form_class, key, list_field, audit_category = FamilyForm, "name", "members", services.FAMILIES
    list_display = ("name", "member_list", "updated_at")
    search_fields = ("name", "member_rows__group_name")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("member_rows")

    @admin.display(description="member groups")
    def member_list(self, family) -> str:
        return ", ".join(sorted(m.group_name for m in family.member_rows.all()))

    def initial(self, obj):
        return {"name": obj.name, "members": "\n".join(sorted(m.group_name for m in obj.member_rows.all()))}

    def key_of(self, obj):
        return obj.name

    def save(self, data, actor):
        services.family_set(name=data["name"], members=data["members"], actor=actor)

    def remove(self, obj, actor):
        services.family_delete(name=obj.name, actor=actor)


@admin.register(GroupNameSchema)
class GroupNameSchemaAdmin(StoreAdmin):
    form_class, key, list_field, audit_category = NameSchemaForm, "group_name", None, services.SCHEMAS
    list_display = ("group_name", "separator", "parts", "template", "updated_at")
    search_fields = ("group_name",)

    @admin.display(description="part order")
    def parts(self, schema) -> str:
        return ", ".join(schema.part_order)

    def initial(self, obj):
        schema = selectors.name_schema_stored(obj.group_name)
        return {
            **schema,
            "group_name": obj.group_name,
            "part_order": ", ".join(schema["part_order"]),
            "extra_parts": ", ".join(schema["extra_parts"]),
        }

    def key_of(self, obj):
        return obj.group_name

    def save(self, data, actor):
        changes = {k: data[k] for k in DEFAULT_SCHEMA}
        changes["common_author"] = changes["common_author"] or None
        changes["template"] = changes["template"] or None
        services.name_schema_set(group=data["group_name"], changes=changes, actor=actor)

    def remove(self, obj, actor):
        services.name_schema_delete(group=obj.group_name, actor=actor)

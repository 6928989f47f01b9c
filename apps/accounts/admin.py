"""Role grants (list, filter, search, grant, revoke — through the services) and AI-Horde accounts."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import OuterRef, Subquery

from apps.accounts.models import HordeAccount, RoleGrant
from apps.accounts.services import role_grant_create, role_grant_note_update, role_grant_revoke
from apps.core.admin import ReadOnlyAdminMixin


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    list_display = ("horde_user_id", "horde_username", "role", "granted_by", "granted_at", "note")
    list_filter = ("role", "granted_by")
    search_fields = ("horde_user_id", "note", "granted_by", "horde_username")
    date_hierarchy = "granted_at"

    def get_queryset(self, request):
        # The AI-Horde username is known once the user has signed in to the admin.
        names = HordeAccount.objects.filter(horde_user_id=OuterRef("horde_user_id")).values("user__username")
        return super().get_queryset(request).annotate(horde_username=Subquery(names[:1]))

    @admin.display(description="AI-Horde username", ordering="horde_username")
    def horde_username(self, obj):
        return getattr(obj, "horde_username", None) or "-"

    def get_fields(self, request, obj=None):
        return (
            ("horde_user_id", "role", "note", "granted_by", "granted_at")
            if obj
            else ("horde_user_id", "role", "note")
        )

    def get_readonly_fields(self, request, obj=None):
        return ("horde_user_id", "role", "granted_by", "granted_at") if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            role_grant_note_update(grant=obj, note=obj.note)
            return
        grant = role_grant_create(
            horde_user_id=obj.horde_user_id,
            role=obj.role,
            granted_by=request.user.get_username(),
            note=obj.note,
        )
        obj.pk, obj.granted_by, obj.granted_at = grant.pk, grant.granted_by, grant.granted_at

    def delete_model(self, request, obj):
        role_grant_revoke(grant=obj, revoked_by=request.user.get_username())

    def delete_queryset(self, request, queryset):
        for grant in queryset:
            role_grant_revoke(grant=grant, revoked_by=request.user.get_username())


@admin.register(HordeAccount)
class HordeAccountAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("user", "horde_user_id", "last_sign_in_at")
    search_fields = ("user__username", "horde_user_id")
    list_select_related = ("user",)


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class HordeAwareUserAdmin(UserAdmin):
    """Django's user admin; the username of an AI-Horde account follows AI-Horde and is not edited
    here (it contains "#", which the username form field refuses, so the page could not be saved)."""

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None and HordeAccount.objects.filter(user=obj).exists():
            return (*readonly, "username")
        return readonly

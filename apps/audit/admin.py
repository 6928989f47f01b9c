from django.contrib import admin

from apps.audit.models import AuditEvent
from apps.core.admin import ReadOnlyAdminMixin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "timestamp", "origin", "operation", "category", "model_name", "actor_name")
    list_filter = ("origin", "operation", "category")
    search_fields = ("model_name", "actor_name", "request_id")
    date_hierarchy = "timestamp"

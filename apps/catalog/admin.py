"""The read-only catalog admin: every record, filtered and searched per category.

The moderation app extends the record pages (history, "Propose an edit …") by registering a
subclass of `ModelRecordAdmin` in its place: apps/moderation/admin/records.py.
"""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from apps.catalog.categories import Category
from apps.catalog.formats import legacy, text_csv, v2
from apps.catalog.formats.render import legacy_export_path
from apps.catalog.models import CategoryMetadata, DownloadFile, ModelRecord, RecordTag, SourceFormat
from apps.core import clock
from apps.core.admin import ReadOnlyAdminMixin, ReadOnlyInline

# Columns shown in the list when one category is selected (the filter on the right).
CATEGORY_COLUMNS = {
    Category.IMAGE_GENERATION.value: ("baseline", "nsfw", "inpainting", "style", "size_gb"),
    Category.TEXT_GENERATION.value: ("parameters_label", "text_model_group", "style", "baseline"),
    Category.CONTROLNET.value: ("controlnet_style", "model_version"),
}
DEFAULT_COLUMNS = ("model_version", "download_count")


class DownloadInline(ReadOnlyInline):
    model = DownloadFile
    fields = ("file_name", "host", "sha256sum", "file_purpose", "file_url")


class TagFilter(admin.SimpleListFilter):
    title = "tag"
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        tags = RecordTag.objects.values_list("tag", flat=True).distinct().order_by("tag")[:60]
        return [(t, t) for t in tags]

    def queryset(self, request, queryset):
        return queryset.filter(tag_rows__tag=self.value()) if self.value() else queryset


@admin.register(ModelRecord)
class ModelRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_filter = ("category", "baseline", "nsfw", "inpainting", "style", TagFilter)
    search_fields = ("name", "description", "display_name", "legacy_key")
    list_per_page = 100
    inlines = [DownloadInline]
    fieldsets = (
        (None, {"fields": ("category", "name", "legacy_key", "position", "version")}),
        ("Record", {"fields": ("fields_table",)}),
        ("Who and when", {"fields": ("created_at", "created_by", "updated_at", "updated_by")}),
        ("As served", {"classes": ("collapse",), "fields": ("v2_json", "legacy_json")}),
    )

    def get_list_display(self, request):
        category = request.GET.get("category__exact")
        return ("name", "category", *CATEGORY_COLUMNS.get(category, DEFAULT_COLUMNS), "version", "updated_at")

    def get_queryset(self, request):
        return super().get_queryset(request).defer("legacy_layout")

    @admin.display(description="parameters", ordering="parameters_count")
    def parameters_label(self, obj):
        return f"{obj.parameters_count / 1e9:g}B" if obj.parameters_count else "-"

    @admin.display(description="size", ordering="size_on_disk_bytes")
    def size_gb(self, obj):
        return f"{obj.size_on_disk_bytes / 1e9:.1f} GB" if obj.size_on_disk_bytes else "-"

    @admin.display(description="fields")
    def fields_table(self, obj):
        category = Category(obj.category)
        rows = []
        for spec in v2.record_fields(category):
            value = obj.data.get(spec.name)
            if spec.name == "config" or value is None:
                continue
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            rows.append((spec.name, shown))
        extra = (obj.data.get(v2.LEGACY_KEY) or {}).get("extra") or {}
        rows.extend((f"legacy: {k}", json.dumps(v, ensure_ascii=False)) for k, v in extra.items())
        body = format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows)
        return format_html('<table class="hmr-fields">{}</table>', body)

    @admin.display(description="v2 record")
    def v2_json(self, obj):
        meta = v2.RecordMeta(
            clock.unix(obj.created_at), clock.unix(obj.updated_at), obj.created_by, obj.updated_by
        )
        record = v2.render_record(Category(obj.category), obj.data, meta)
        return format_html("<pre>{}</pre>", json.dumps(record, indent=2, ensure_ascii=False))

    @admin.display(description="legacy record")
    def legacy_json(self, obj):
        category = Category(obj.category)
        if category == Category.TEXT_GENERATION:
            entries = dict(text_csv.db_entries(obj.data))
        elif legacy_export_path(category):
            entries = {legacy.legacy_key(obj.data): legacy.legacy_from_data(category, obj.data)}
        else:
            return "-"
        return format_html("<pre>{}</pre>", json.dumps(entries, indent=2, ensure_ascii=False))


@admin.register(CategoryMetadata)
class CategoryMetadataAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "category",
        "total_models",
        "revision",
        "last_updated",
        "total_creates",
        "total_updates",
        "total_deletes",
    )


@admin.register(SourceFormat)
class SourceFormatAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("category", "file_name", "updated_at")

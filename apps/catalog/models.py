"""The catalog: one row per model record, with typed columns for what is filtered, sorted or counted.

`ModelRecord.data` is the record data (formats/v2.py): the v2 fields plus the legacy residue, as
ordered JSON text. The typed columns (`baseline`, `nsfw`, `parameters_count`, ...), the tag rows
and the download rows are projections of it, written by `services.py` in the same transaction,
so every search and statistic runs on indexed columns.
"""

from __future__ import annotations

import uuid

from django.db import models

from apps.catalog.categories import Category
from apps.core.fields import OrderedJSONField, enum_choices


class ModelRecord(models.Model):
    category = models.CharField(max_length=32, choices=enum_choices(Category))
    name = models.CharField(max_length=255)
    position = models.PositiveIntegerField(default=0, help_text="Order in the category's file.")
    version = models.PositiveIntegerField(
        default=1, help_text="Bumped on every write; conflict checks use it."
    )
    revision = models.PositiveIntegerField(
        default=0,
        help_text="The category revision that last wrote this row (its changes feed: catalog/assembly.py).",
    )
    data = OrderedJSONField(help_text="The v2 fields and the legacy residue, in canonical order.")
    legacy_layout = OrderedJSONField(
        null=True,
        blank=True,
        help_text="Whitespace of the record in its legacy file, when the profile differs.",
    )

    # Projections of `data`: read-only columns for filters, sorting and statistics.
    legacy_key = models.CharField(max_length=255, null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    model_version = models.CharField(max_length=64, null=True, blank=True)
    baseline = models.CharField(max_length=128, null=True, blank=True)
    nsfw = models.BooleanField(null=True)
    inpainting = models.BooleanField(null=True)
    style = models.CharField(max_length=64, null=True, blank=True)
    parameters_count = models.BigIntegerField(null=True, blank=True)
    size_on_disk_bytes = models.BigIntegerField(null=True, blank=True)
    display_name = models.CharField(max_length=255, null=True, blank=True)
    text_model_group = models.CharField(max_length=255, null=True, blank=True)
    controlnet_style = models.CharField(max_length=64, null=True, blank=True)
    download_count = models.PositiveIntegerField(default=0)
    trigger_count = models.PositiveIntegerField(default=0, help_text="Entries of `trigger`.")
    showcase_count = models.PositiveIntegerField(default=0, help_text="Entries of `showcases`.")
    requirement_count = models.PositiveIntegerField(default=0, help_text="Keys of `requirements`.")

    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    created_by = models.CharField(max_length=255, null=True, blank=True)
    updated_by = models.CharField(max_length=255, null=True, blank=True)

    class Meta:
        ordering = ["category", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["category", "name"], name="record_unique_name")]
        indexes = [
            models.Index(fields=["category", "position"], name="record_position"),
            models.Index(fields=["category", "revision"], name="record_revision"),
            models.Index(fields=["category", "baseline"], name="record_baseline"),
            models.Index(fields=["category", "nsfw"], name="record_nsfw"),
            models.Index(fields=["category", "parameters_count"], name="record_parameters"),
            models.Index(fields=["category", "text_model_group"], name="record_group"),
            models.Index(fields=["name"], name="record_name"),
        ]

    def __str__(self) -> str:
        return f"{self.category}/{self.name}"


class RecordTag(models.Model):
    """One tag of a record (projection of `data["tags"]`) so tag filters use an index."""

    record = models.ForeignKey(ModelRecord, on_delete=models.CASCADE, related_name="tag_rows")
    tag = models.CharField(max_length=128)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record", "tag"], name="record_tag_unique")]
        indexes = [models.Index(fields=["tag", "record"], name="record_tag_lookup")]

    def __str__(self) -> str:
        return self.tag


class DownloadFile(models.Model):
    """One downloadable file of a record (projection of `data["config"]["download"]`)."""

    record = models.ForeignKey(ModelRecord, on_delete=models.CASCADE, related_name="downloads")
    position = models.PositiveSmallIntegerField()
    file_name = models.CharField(max_length=255)
    file_url = models.TextField()
    host = models.CharField(max_length=255, blank=True)
    sha256sum = models.CharField(max_length=128, blank=True)
    file_purpose = models.CharField(max_length=64, blank=True)
    size_bytes = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["record", "position"]
        indexes = [
            models.Index(fields=["sha256sum"], name="download_sha"),
            models.Index(fields=["host"], name="download_host"),
        ]

    def __str__(self) -> str:
        return self.file_name


class SourceFormat(models.Model):
    """How a category's legacy file was formatted when it was imported (formats/jsonfile.py)."""

    category = models.CharField(max_length=32, choices=enum_choices(Category), unique=True)
    file_name = models.CharField(max_length=64)
    profile = OrderedJSONField()
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.file_name


class CategoryMetadata(models.Model):
    """Per-category write counters and the revision that names the current rendered documents."""

    category = models.CharField(max_length=32, choices=enum_choices(Category), primary_key=True)
    revision = models.PositiveIntegerField(default=0, help_text="Bumped on every committed change.")
    shape_revision = models.PositiveIntegerField(
        default=0,
        help_text="The last revision that added, removed or moved a record (the documents' order).",
    )
    # A new value with every new row: revisions count from 1 again in a new row (the catalog's
    # tables emptied, a new database), so (epoch, revision) names one state of the records.
    epoch = models.UUIDField(default=uuid.uuid4, editable=False)
    last_updated = models.DateTimeField()
    initialization_time = models.DateTimeField()
    last_operation_type = models.CharField(max_length=16, null=True, blank=True)
    last_operation_model = models.CharField(max_length=255, null=True, blank=True)
    last_successful_operation = models.DateTimeField(null=True, blank=True)
    total_creates = models.PositiveIntegerField(default=0)
    total_updates = models.PositiveIntegerField(default=0)
    total_deletes = models.PositiveIntegerField(default=0)
    total_models = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "category metadata"

    def __str__(self) -> str:
        return self.category

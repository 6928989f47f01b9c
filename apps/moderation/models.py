"""The pending-change queue: every change to live data is a proposal that is reviewed, then applied.

States (upstream's PendingChangeRecord): pending → approved → applying → applied, pending → rejected.
`applying` only exists inside the apply transaction (services/apply.py), so a crash can never
leave a change stuck in it. Transitions are guarded by the services; nothing else writes rows.
"""

from __future__ import annotations

from django.db import models

from apps.catalog.categories import Category
from apps.core.fields import OrderedJSONField, enum_choices


class ReviewBatch(models.Model):
    """A titled set of changes an approver reviewed together; applied together (or split).

    Most batches are made when an approver approves changes. A batch can also be *proposed*:
    changes proposed together (every member of a text model group at once) wait in it as
    pending changes (`approved_at` still empty) until an approver approves the batch itself.
    """

    title = models.CharField(max_length=120)
    proposed_by = models.CharField(max_length=64, null=True, blank=True)
    proposed_username = models.CharField(max_length=255, null=True, blank=True)
    proposed_at = models.DateTimeField(
        null=True, blank=True, help_text="When its changes were proposed together."
    )
    approved_by = models.CharField(max_length=64, null=True, blank=True)
    approved_username = models.CharField(max_length=255, null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    split_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="splits",
        help_text="The batch this one was split off.",
    )

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "review batches"

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def is_proposed(self) -> bool:
        """Proposed together and not approved yet: its changes are pending."""
        return self.approved_at is None and self.proposed_at is not None


class PendingChange(models.Model):
    class Operation(models.TextChoices):
        CREATE = "create"
        UPDATE = "update"
        DELETE = "delete"

    class Status(models.TextChoices):
        PENDING = "pending"
        APPROVED = "approved"
        APPLYING = "applying"
        APPLIED = "applied"
        REJECTED = "rejected"

    class Format(models.TextChoices):
        V2 = "v2"
        LEGACY = "legacy"

    # The primary key is upstream's change_id.
    category = models.CharField(max_length=32, choices=enum_choices(Category))
    model_name = models.CharField(max_length=255)
    operation = models.CharField(max_length=8, choices=Operation.choices)
    payload = OrderedJSONField(null=True, blank=True, help_text="The proposed record (delete: a snapshot).")
    payload_format = models.CharField(max_length=8, choices=Format.choices, default=Format.V2)
    base_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The record's version when proposed; apply refuses if it moved on."
    )
    origin = models.CharField(max_length=16, help_text="api-v1, api-v2 or admin")
    requested_by = models.CharField(max_length=64)
    requested_username = models.CharField(max_length=255, null=True, blank=True)
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    notes = models.TextField(null=True, blank=True)
    batch = models.ForeignKey(
        ReviewBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes"
    )
    batch_title = models.CharField(max_length=120, null=True, blank=True)
    approved_by = models.CharField(max_length=64, null=True, blank=True)
    approved_username = models.CharField(max_length=255, null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    # A change to one of the most used records needs a second approver (selectors/protection.py).
    second_approved_by = models.CharField(max_length=64, null=True, blank=True)
    second_approved_username = models.CharField(max_length=255, null=True, blank=True)
    second_approved_at = models.DateTimeField(null=True, blank=True)
    rejected_by = models.CharField(max_length=64, null=True, blank=True)
    rejected_username = models.CharField(max_length=255, null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(max_length=500, null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.CharField(max_length=64, null=True, blank=True)
    applied_username = models.CharField(max_length=255, null=True, blank=True)
    applied_job_id = models.CharField(max_length=120, null=True, blank=True)
    last_error = models.TextField(null=True, blank=True, help_text="Why the last apply attempt failed.")
    updated_at = models.DateTimeField()
    request_metadata = OrderedJSONField(null=True, blank=True)
    related_models = OrderedJSONField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["status", "id"], name="change_status"),
            models.Index(fields=["category", "model_name"], name="change_model"),
            models.Index(fields=["requested_by", "id"], name="change_requester"),
        ]
        permissions = [
            ("propose_change", "Can propose changes to records"),
            ("review_change", "Can approve or reject changes"),
            ("apply_change", "Can apply approved changes"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.operation} {self.category}/{self.model_name} ({self.status})"

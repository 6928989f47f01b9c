"""The append-only audit trail: every record write and every queue step, in one global sequence."""

from __future__ import annotations

from django.db import models

from apps.core.fields import OrderedJSONField


class AppendOnlyError(RuntimeError):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events are append-only; they cannot be updated.")

    def delete(self):
        raise AppendOnlyError("Audit events are append-only; they cannot be deleted.")


class AuditEvent(models.Model):
    class Operation(models.TextChoices):
        CREATE = "create"
        UPDATE = "update"
        DELETE = "delete"

    class Origin(models.TextChoices):
        API_V1 = "api-v1"
        API_V2 = "api-v2"
        ADMIN = "admin"
        IMPORT = "import"
        REPLICA = "replica"

    QUEUE_CATEGORY = "pending_queue"

    # The primary key is the global, monotonic event id (upstream's event_id).
    timestamp = models.DateTimeField()
    domain = models.CharField(max_length=8, help_text="legacy or v2: the format the payload is in.")
    category = models.CharField(max_length=32, help_text="A record category, or pending_queue.")
    model_name = models.CharField(max_length=255)
    operation = models.CharField(max_length=8, choices=Operation.choices)
    origin = models.CharField(max_length=16, choices=Origin.choices)
    actor_id = models.CharField(
        max_length=64, null=True, blank=True, help_text="AI-Horde user id or Django user."
    )
    actor_name = models.CharField(
        max_length=255, null=True, blank=True, help_text="Frozen at the time of the event."
    )
    request_id = models.CharField(max_length=128, null=True, blank=True)
    payload = OrderedJSONField(help_text="{before?, after?, delta?}")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["category", "model_name", "id"], name="audit_model"),
            models.Index(fields=["origin", "id"], name="audit_origin"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.operation} {self.category}/{self.model_name}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit events are append-only; they cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are append-only; they cannot be deleted.")

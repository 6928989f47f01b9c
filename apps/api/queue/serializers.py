"""The queue's wire shapes (upstream's PendingChangeRecord, PendingChangeDiff, batch summaries,
net changes and the request/response bodies of its endpoints). Each renders responses and is the
OpenAPI component that documents them."""

from __future__ import annotations

from rest_framework import serializers

from apps.api.serializers import OmitNullsSerializer


class UtcDateTimeField(serializers.DateTimeField):
    """ISO 8601 with a `Z` (times are stored in UTC), as upstream's records carry them."""

    def to_representation(self, value):
        return None if value is None else value.isoformat().replace("+00:00", "Z")


def _optional(field_class, **kwargs):
    return field_class(required=False, allow_null=True, **kwargs)


class PendingChangeSerializer(OmitNullsSerializer):
    """A queued change (nulls are left out)."""

    change_id = serializers.IntegerField(source="pk")
    category = serializers.CharField()
    model_name = serializers.CharField()
    operation = serializers.ChoiceField(choices=["create", "update", "delete"])
    payload = _optional(serializers.DictField, help_text="The proposed record (delete: a snapshot).")
    requested_by = serializers.CharField()
    requested_username = _optional(serializers.CharField)
    requested_at = UtcDateTimeField()
    status = serializers.ChoiceField(choices=["pending", "approved", "applying", "applied", "rejected"])
    notes = _optional(serializers.CharField)
    batch_id = _optional(serializers.IntegerField)
    batch_title = _optional(serializers.CharField)
    approved_by = _optional(serializers.CharField)
    approved_username = _optional(serializers.CharField)
    approved_at = _optional(UtcDateTimeField)
    second_approved_by = _optional(
        serializers.CharField, help_text="HMR: the second approver of a change to a most used model"
    )
    second_approved_username = _optional(serializers.CharField)
    second_approved_at = _optional(UtcDateTimeField)
    rejected_by = _optional(serializers.CharField)
    rejected_username = _optional(serializers.CharField)
    rejected_at = _optional(UtcDateTimeField)
    reject_reason = _optional(serializers.CharField)
    applied_at = _optional(UtcDateTimeField)
    applied_by = _optional(serializers.CharField)
    applied_username = _optional(serializers.CharField)
    applied_job_id = _optional(serializers.CharField)
    updated_at = UtcDateTimeField()
    request_metadata = _optional(serializers.DictField)
    related_models = _optional(serializers.ListField, child=serializers.CharField())
    base_version = _optional(
        serializers.IntegerField,
        help_text="The record version the change was proposed against; apply refuses (409) when it moved on.",
    )
    last_error = _optional(serializers.CharField)

    class Meta:
        ref_name = "PendingChangeRecord"


class PendingChangePageSerializer(serializers.Serializer):
    items = PendingChangeSerializer(many=True)
    total = serializers.IntegerField()
    offset = serializers.IntegerField()
    limit = serializers.IntegerField()

    class Meta:
        ref_name = "PendingChangePage"


class FieldDiffSerializer(serializers.Serializer):
    field_path = serializers.CharField()
    old_value = serializers.JSONField(allow_null=True)
    new_value = serializers.JSONField(allow_null=True)
    change_type = serializers.ChoiceField(choices=["added", "removed", "modified"])

    class Meta:
        ref_name = "FieldDiff"


class ChangeDiffSerializer(serializers.Serializer):
    """A change against the live record, field by field (delete: against nothing)."""

    change_id = serializers.IntegerField()
    category = serializers.CharField()
    model_name = serializers.CharField()
    operation = serializers.ChoiceField(choices=["create", "update", "delete"])
    current_state = serializers.JSONField(allow_null=True)
    proposed_state = serializers.JSONField(allow_null=True)
    net_operation = serializers.ChoiceField(choices=["added", "modified", "deleted", "unchanged"])
    field_diffs = FieldDiffSerializer(many=True)
    is_critical = serializers.BooleanField()
    fields_added = serializers.ListField(child=serializers.CharField())
    fields_removed = serializers.ListField(child=serializers.CharField())
    fields_modified = serializers.ListField(child=serializers.CharField())

    class Meta:
        ref_name = "PendingChangeDiff"


class DiffErrorSerializer(serializers.Serializer):
    change_id = serializers.CharField()
    error = serializers.CharField()
    error_type = serializers.CharField()


class DiffsSerializer(serializers.Serializer):
    diffs = ChangeDiffSerializer(many=True)
    total = serializers.IntegerField(help_text="How many change ids were asked for.")
    errors = DiffErrorSerializer(many=True)

    class Meta:
        ref_name = "PendingChangeDiffs"


class ReviewResponseSerializer(serializers.Serializer):
    """What a review did; the changes keep their null fields here, as upstream's answer does."""

    batch_id = serializers.IntegerField(allow_null=True)
    batch_title = serializers.CharField()
    approved = PendingChangeSerializer(many=True)
    rejected = PendingChangeSerializer(many=True)

    class Meta:
        ref_name = "ReviewResponse"

    def to_representation(self, result):
        def changes(items):
            return PendingChangeSerializer(items, many=True, context={"keep_nulls": True}).data

        return {
            "batch_id": result.batch.pk if result.batch else None,
            "batch_title": result.batch_title,
            "approved": changes(result.approved),
            "rejected": changes(result.rejected),
        }


class BatchSplitFields(serializers.Serializer):
    batch_split_occurred = serializers.BooleanField()
    batch_split_original_batch_id = serializers.IntegerField(required=False)
    batch_split_new_batch_id = serializers.IntegerField(required=False)
    batch_split_reassigned_count = serializers.IntegerField(required=False)

    def to_representation(self, report):
        if report.split is None:
            return {"batch_split_occurred": False}
        return {
            "batch_split_occurred": True,
            "batch_split_original_batch_id": report.split.original_batch_id,
            "batch_split_new_batch_id": report.split.new_batch_id,
            "batch_split_reassigned_count": report.split.reassigned_count,
        }


class ApplyOneResponseSerializer(BatchSplitFields):
    record = PendingChangeSerializer()

    class Meta:
        ref_name = "ApplyOneResponse"

    def to_representation(self, report):
        return {
            "record": PendingChangeSerializer(report.applied[0]).data,
            **super().to_representation(report),
        }


class ApplyResponseSerializer(BatchSplitFields):
    applied = PendingChangeSerializer(many=True)
    failed_change_id = serializers.IntegerField(required=False)
    failed_error = serializers.CharField(required=False)
    failed_error_type = serializers.CharField(required=False)

    class Meta:
        ref_name = "ApplyResponse"

    def to_representation(self, report):
        body = {
            "applied": PendingChangeSerializer(report.applied, many=True).data,
            **super().to_representation(report),
        }
        if report.failed_change_id is not None:
            body.update(
                failed_change_id=report.failed_change_id,
                failed_error=report.failed_error,
                failed_error_type=report.failed_error_type,
            )
        return body


class PurgeResponseSerializer(serializers.Serializer):
    removed_count = serializers.IntegerField()
    removed_change_ids = serializers.ListField(child=serializers.IntegerField())
    dry_run = serializers.BooleanField()

    class Meta:
        ref_name = "PurgeResponse"


# --- audit --------------------------------------------------------------------------------------


class AuditCurrentSerializer(serializers.Serializer):
    domain = serializers.CharField()
    pending_changes = PendingChangeSerializer(many=True)
    total_pending = serializers.IntegerField()
    generated_at = UtcDateTimeField()

    class Meta:
        ref_name = "AuditCurrent"


class BatchSummarySerializer(serializers.Serializer):
    batch_id = serializers.IntegerField(source="batch.pk")
    batch_title = serializers.CharField(source="batch.title")
    approved_by = serializers.CharField(source="batch.approved_by", allow_null=True)
    approved_at = UtcDateTimeField(source="batch.approved_at", allow_null=True)
    applied_at = UtcDateTimeField(source="batch.applied_at", allow_null=True)
    approved_change_count = serializers.IntegerField()
    rejected_change_count = serializers.IntegerField()
    applied_change_count = serializers.IntegerField()
    total_change_count = serializers.IntegerField(help_text="approved and rejected")
    last_event_id = serializers.IntegerField(allow_null=True)

    class Meta:
        ref_name = "BatchSummary"


class AuditBatchesSerializer(serializers.Serializer):
    domain = serializers.CharField()
    batches = BatchSummarySerializer(many=True)
    next_cursor = serializers.IntegerField(allow_null=True)

    class Meta:
        ref_name = "AuditBatches"


class AuditEventSerializer(serializers.Serializer):
    event_id = serializers.IntegerField(source="pk")
    timestamp = UtcDateTimeField()
    action = serializers.SerializerMethodField()
    logical_user_id = serializers.CharField(source="actor_id", allow_null=True)
    payload = serializers.JSONField()

    class Meta:
        ref_name = "QueueAuditEvent"

    def get_action(self, event) -> str | None:
        return event.payload["after"].get("action")


class AuditBatchSerializer(BatchSummarySerializer):
    """A batch's summary, its changes and the audit events of their queue steps."""

    domain = serializers.CharField()
    changes = PendingChangeSerializer(many=True)
    events = AuditEventSerializer(many=True)

    class Meta:
        ref_name = "AuditBatch"

    def to_representation(self, history):
        return {
            **BatchSummarySerializer(history.summary).data,
            "domain": self.context["domain"],
            "changes": PendingChangeSerializer(history.changes, many=True).data,
            "events": AuditEventSerializer(history.events, many=True).data,
        }


class NetChangeSerializer(serializers.Serializer):
    model_name = serializers.CharField()
    category = serializers.CharField()
    net_operation = serializers.ChoiceField(choices=["added", "modified", "deleted", "unchanged"])
    before_state = serializers.JSONField(allow_null=True)
    after_state = serializers.JSONField(allow_null=True)
    field_diffs = FieldDiffSerializer(many=True)
    is_critical = serializers.BooleanField()

    class Meta:
        ref_name = "NetModelChange"


class NetChangesSerializer(serializers.Serializer):
    batch_id = serializers.IntegerField(source="batch.pk")
    batch_title = serializers.CharField(source="batch.title")
    domain = serializers.SerializerMethodField()
    model_changes = NetChangeSerializer(many=True)
    models_added = serializers.IntegerField()
    models_modified = serializers.IntegerField()
    models_deleted = serializers.IntegerField()
    models_unchanged = serializers.IntegerField()
    total_field_changes = serializers.IntegerField()
    has_critical_changes = serializers.BooleanField()
    generated_at = serializers.SerializerMethodField()

    class Meta:
        ref_name = "BatchNetChanges"

    def get_domain(self, net) -> str:
        return self.context["domain"]

    def get_generated_at(self, net) -> str:
        return UtcDateTimeField().to_representation(self.context["generated_at"])

"""OpenAPI components for v2 records, built from the same field specs that validate them.

`record_serializer(category)` is a documentation serializer named like upstream's record class
(`ImageGenerationModelRecord`, ...). Validation itself is `formats.v2.validate_record`; these
classes exist so drf-spectacular can describe the shapes exactly.
"""

from __future__ import annotations

from functools import cache

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from apps.catalog.categories import CATEGORIES, Category
from apps.catalog.formats import v2


def _named(name: str, fields: dict, doc: str = "") -> type[serializers.Serializer]:
    return type(name, (serializers.Serializer,), {**fields, "__doc__": doc or name})


def _field(spec: v2.FieldSpec, nested: dict) -> serializers.Field:
    common = {"required": spec.required, "help_text": spec.description or None}
    if not spec.required:
        common["allow_null"] = True
    kind = spec.kind
    if kind == "str":
        return serializers.CharField(allow_blank=True, **common)
    if kind == "bool":
        return serializers.BooleanField(**common)
    if kind == "int":
        return serializers.IntegerField(**common)
    if kind == "strlist":
        return serializers.ListField(child=serializers.CharField(), **common)
    if kind == "dict":
        return serializers.DictField(**common)
    return nested[kind](**common)


@cache
def _shared() -> dict[str, type[serializers.Serializer]]:
    download = _named(
        "DownloadRecord",
        {s.name: _field(s, {}) for s in v2.DOWNLOAD_FIELDS},
        "A file to download for a model.",
    )
    config = _named(
        "GenericModelRecordConfig",
        {
            "download": serializers.ListField(child=download(), required=False),
            "embedded_component_hashes": serializers.DictField(
                child=serializers.CharField(), required=False, allow_null=True
            ),
        },
        "Files to download and hashes of embedded components.",
    )
    finetune = _named(
        "FineTuneSeriesInfo",
        {s.name: _field(s, {}) for s in v2.FINETUNE_FIELDS},
        "The fine-tune series a model belongs to.",
    )
    metadata = _named(
        "GenericModelRecordMetadata",
        {
            "schema_version": serializers.CharField(default=v2.SCHEMA_VERSION),
            "created_at": serializers.IntegerField(required=False, allow_null=True, help_text="Unix time"),
            "updated_at": serializers.IntegerField(required=False, allow_null=True, help_text="Unix time"),
            "created_by": serializers.CharField(required=False, allow_null=True),
            "updated_by": serializers.CharField(required=False, allow_null=True),
        },
        "Metadata about the record itself.",
    )
    classification = _named(
        "ModelClassification",
        {"domain": serializers.CharField(), "purpose": serializers.CharField()},
        "Domain and purpose of a model.",
    )
    return {"config": config, "finetune": finetune, "metadata": metadata, "classification": classification}


@cache
def record_serializer(category: Category) -> type[serializers.Serializer]:
    shared = _shared()
    info = CATEGORIES[category]
    fields: dict[str, serializers.Field] = {
        "record_type": serializers.ChoiceField(
            choices=[category.value], default=category.value, required=False
        ),
    }
    for spec in v2.record_fields(category):
        if spec.name == "config":
            fields["metadata"] = shared["metadata"](required=False)
            fields["config"] = shared["config"](required=False)
            fields["model_classification"] = shared["classification"](required=False)
            continue
        fields[spec.name] = _field(spec, shared)
    return _named(info.record_class, fields, f"A v2 record of the {category.value} category.")


def document_schema(category: Category) -> OpenApiResponse:
    """`{model name: record}` for one category (the record component is registered by its model route)."""
    record_ref = {"$ref": f"#/components/schemas/{CATEGORIES[category].record_class}"}
    return OpenApiResponse(
        response={"type": "object", "additionalProperties": record_ref},
        description=f"Every {category.value} record by name; ETag/Last-Modified, 304, gzip.",
    )


search_response = _named(
    "SearchResponse",
    {
        "results": serializers.ListField(child=serializers.DictField()),
        "total": serializers.IntegerField(),
        "offset": serializers.IntegerField(),
        "limit": serializers.IntegerField(),
        "has_more": serializers.BooleanField(),
    },
    "One page of search results.",
)
message_response = _named("MessageResponse", {"message": serializers.CharField()})
error_response = _named(
    "ErrorResponse", {"detail": serializers.JSONField()}, "An error: a message or a list."
)
categories_response = OpenApiResponse(
    response={"type": "array", "items": {"type": "string"}}, description="Category names"
)
heartbeat_response = _named(
    "Heartbeat",
    {
        "status": serializers.CharField(),
        "ai_horde": _named(
            "AiHordeStatus",
            {
                "degraded": serializers.BooleanField(),
                "consecutive_failures": serializers.IntegerField(),
                "seconds_until_retry": serializers.IntegerField(allow_null=True),
            },
        )(),
    },
)
replicate_mode_response = _named(
    "ReplicateMode",
    {
        "replicate_mode": serializers.ChoiceField(choices=["PRIMARY", "REPLICA"]),
        "canonical_format": serializers.ChoiceField(choices=["v2", "legacy"]),
        "writable": serializers.BooleanField(),
    },
)
category_metadata_response = _named(
    "CategoryMetadata",
    {
        "category": serializers.CharField(),
        "last_updated": serializers.IntegerField(allow_null=True, help_text="Unix time"),
        "last_operation_type": serializers.CharField(allow_null=True),
        "last_operation_model": serializers.CharField(allow_null=True),
        "total_creates": serializers.IntegerField(),
        "total_updates": serializers.IntegerField(),
        "total_deletes": serializers.IntegerField(),
        "total_models": serializers.IntegerField(),
        "initialization_time": serializers.IntegerField(allow_null=True),
        "last_successful_operation": serializers.IntegerField(allow_null=True),
        "error_count": serializers.IntegerField(),
        "metadata_schema_version": serializers.CharField(),
        "backend_type": serializers.CharField(),
    },
)
all_metadata_response = OpenApiResponse(
    response={"type": "object", "additionalProperties": {"$ref": "#/components/schemas/CategoryMetadata"}},
    description="Metadata by category",
)
last_updated_response = _named("LastUpdated", {"last_updated": serializers.IntegerField(allow_null=True)})
category_last_updated_response = _named(
    "CategoryLastUpdated",
    {"category": serializers.CharField(), "last_updated": serializers.IntegerField(allow_null=True)},
)

# --- writes and the queue -----------------------------------------------------------------------
pending_change_response = _named(
    "PendingChangeRecord",
    {
        "change_id": serializers.IntegerField(),
        "category": serializers.CharField(),
        "model_name": serializers.CharField(),
        "operation": serializers.ChoiceField(choices=["create", "update", "delete"]),
        "payload": serializers.DictField(
            required=False, help_text="The proposed record (delete: a snapshot)."
        ),
        "requested_by": serializers.CharField(),
        "requested_username": serializers.CharField(required=False),
        "requested_at": serializers.DateTimeField(),
        "status": serializers.ChoiceField(choices=["pending", "approved", "applying", "applied", "rejected"]),
        "notes": serializers.CharField(required=False),
        "batch_id": serializers.IntegerField(required=False),
        "batch_title": serializers.CharField(required=False),
        "approved_by": serializers.CharField(required=False),
        "approved_username": serializers.CharField(required=False),
        "approved_at": serializers.DateTimeField(required=False),
        "rejected_by": serializers.CharField(required=False),
        "rejected_username": serializers.CharField(required=False),
        "rejected_at": serializers.DateTimeField(required=False),
        "reject_reason": serializers.CharField(required=False),
        "applied_at": serializers.DateTimeField(required=False),
        "applied_by": serializers.CharField(required=False),
        "applied_username": serializers.CharField(required=False),
        "applied_job_id": serializers.CharField(required=False),
        "updated_at": serializers.DateTimeField(),
        "request_metadata": serializers.DictField(required=False),
        "related_models": serializers.ListField(child=serializers.CharField(), required=False),
        "base_version": serializers.IntegerField(
            required=False,
            help_text="The record version the change was "
            "proposed against; apply refuses (409) when it moved on.",
        ),
        "last_error": serializers.CharField(required=False),
    },
    "A queued change (nulls are left out).",
)
change_page_response = _named(
    "PendingChangePage",
    {
        "items": serializers.ListField(child=pending_change_response()),
        "total": serializers.IntegerField(),
        "offset": serializers.IntegerField(),
        "limit": serializers.IntegerField(),
    },
)
review_request = _named(
    "ReviewRequest",
    {
        "batch_title": serializers.CharField(max_length=120),
        "approved_ids": serializers.ListField(child=serializers.IntegerField(), required=False),
        "rejected_ids": serializers.ListField(child=serializers.IntegerField(), required=False),
        "reject_reason": serializers.CharField(max_length=500, required=False),
    },
)
review_response = _named(
    "ReviewResponse",
    {
        "batch_id": serializers.IntegerField(allow_null=True),
        "batch_title": serializers.CharField(),
        "approved": serializers.ListField(child=pending_change_response()),
        "rejected": serializers.ListField(child=pending_change_response()),
    },
)
_split = {
    "batch_split_occurred": serializers.BooleanField(),
    "batch_split_original_batch_id": serializers.IntegerField(required=False),
    "batch_split_new_batch_id": serializers.IntegerField(required=False),
    "batch_split_reassigned_count": serializers.IntegerField(required=False),
}
apply_one_request = _named(
    "ApplyOneRequest", {"job_id": serializers.CharField(max_length=120, required=False)}
)
apply_one_response = _named("ApplyOneResponse", {"record": pending_change_response(), **_split})
apply_request = _named(
    "ApplyRequest",
    {
        "change_ids": serializers.ListField(child=serializers.IntegerField(), min_length=1),
        "job_id": serializers.CharField(max_length=120, required=False),
        "allow_mixed_batch": serializers.BooleanField(default=False),
    },
)
apply_response = _named(
    "ApplyResponse",
    {
        "applied": serializers.ListField(child=pending_change_response()),
        "failed_change_id": serializers.IntegerField(required=False),
        "failed_error": serializers.CharField(required=False),
        "failed_error_type": serializers.CharField(required=False),
        **_split,
    },
)
purge_request = _named(
    "PurgeRequest",
    {
        "statuses": serializers.ListField(child=serializers.CharField(), required=False),
        "categories": serializers.ListField(child=serializers.CharField(), required=False),
        "model_name": serializers.CharField(max_length=200, required=False),
        "requested_by": serializers.ListField(child=serializers.CharField(), required=False),
        "purge_all": serializers.BooleanField(default=False),
        "dry_run": serializers.BooleanField(default=False),
    },
)
purge_response = _named(
    "PurgeResponse",
    {
        "removed_count": serializers.IntegerField(),
        "removed_change_ids": serializers.ListField(child=serializers.IntegerField()),
        "dry_run": serializers.BooleanField(),
    },
)
WRITE_ERRORS = {code: error_response for code in (400, 401, 403, 404, 409, 422, 429, 503)}
roles_response = _named(
    "Roles",
    {
        "user_id": serializers.CharField(),
        "username": serializers.CharField(),
        "roles": serializers.ListField(child=serializers.ChoiceField(choices=["approver", "requestor"])),
        "is_approver": serializers.BooleanField(),
        "is_requestor": serializers.BooleanField(),
    },
)

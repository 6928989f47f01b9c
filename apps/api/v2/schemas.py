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

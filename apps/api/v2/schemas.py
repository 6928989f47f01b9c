"""OpenAPI components of the v2 API: records (built from the same field specs that validate
them), documents, search pages and the caller's roles.

`record_serializer(category)` is a documentation serializer named like upstream's record class
(`ImageGenerationModelRecord`, ...). Validation itself is `formats.v2.validate_record`, and the
records are rendered by `formats.v2.render_record` (documents are stored bytes); these classes
exist so drf-spectacular can describe the shapes exactly.
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


class SearchPageSerializer(serializers.Serializer):
    """One page of search results (records as v2 records, as the documents hold them)."""

    results = serializers.ListField(child=serializers.DictField())
    total = serializers.IntegerField()
    offset = serializers.IntegerField()
    limit = serializers.IntegerField()
    has_more = serializers.BooleanField()

    class Meta:
        ref_name = "SearchResponse"


class RolesSerializer(serializers.Serializer):
    user_id = serializers.CharField()
    username = serializers.CharField()
    roles = serializers.ListField(child=serializers.ChoiceField(choices=["approver", "requestor"]))
    is_approver = serializers.BooleanField()
    is_requestor = serializers.BooleanField()

    class Meta:
        ref_name = "Roles"

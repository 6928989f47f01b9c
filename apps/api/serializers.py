"""Output shapes shared by both API versions: each serializer renders the response body and is
the OpenAPI component that documents it, so the two cannot drift."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers

from apps.core import clock

METADATA_SCHEMA_VERSION = "1.0.0"
BACKEND_TYPE = "DatabaseBackend"


@extend_schema_field(OpenApiTypes.INT)
class UnixTimeField(serializers.Field):
    """A datetime as unix seconds (upstream's metadata and record times); null stays null."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("help_text", "Unix time")
        super().__init__(**kwargs)

    def to_representation(self, value):
        return clock.unix(value)


class OmitNullsSerializer(serializers.Serializer):
    """Upstream's `exclude_none` dumps: keys whose value is null are left out, unless the view
    passes `context={"keep_nulls": True}` (upstream keeps them in some bodies)."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if self.context.get("keep_nulls"):
            return data
        return {key: value for key, value in data.items() if value is not None}


class MessageSerializer(serializers.Serializer):
    message = serializers.CharField()

    class Meta:
        ref_name = "MessageResponse"


class ErrorSerializer(serializers.Serializer):
    """An error: a message, or (422) a list of pydantic-style validation errors."""

    detail = serializers.JSONField()

    class Meta:
        ref_name = "ErrorResponse"


CATEGORY_NAMES = OpenApiResponse(
    response={"type": "array", "items": {"type": "string"}}, description="Category names"
)
ERRORS = {404: ErrorSerializer, 422: ErrorSerializer}
WRITE_ERRORS = {code: ErrorSerializer for code in (400, 401, 403, 404, 409, 422, 429, 503)}


class AiHordeStatusSerializer(serializers.Serializer):
    """The AI-Horde circuit breaker (upstream's three fields, plus HMR's `last_success`)."""

    degraded = serializers.BooleanField(help_text="the breaker is open: AI-Horde is not asked")
    consecutive_failures = serializers.IntegerField()
    seconds_until_retry = serializers.FloatField(allow_null=True, help_text="while degraded")
    last_success = serializers.IntegerField(allow_null=True, help_text="unix time of the last good answer")

    class Meta:
        ref_name = "AiHordeStatus"


class HeartbeatSerializer(serializers.Serializer):
    status = serializers.CharField()
    ai_horde = AiHordeStatusSerializer()

    class Meta:
        ref_name = "Heartbeat"


class ReplicateModeSerializer(serializers.Serializer):
    replicate_mode = serializers.ChoiceField(choices=["PRIMARY", "REPLICA"])
    canonical_format = serializers.ChoiceField(choices=["v2", "legacy"])
    writable = serializers.BooleanField()

    class Meta:
        ref_name = "ReplicateMode"


class CategoryMetadataSerializer(serializers.Serializer):
    """Upstream's CategoryMetadata, from a `catalog.CategoryMetadata` row."""

    category = serializers.CharField()
    last_updated = UnixTimeField()
    last_operation_type = serializers.CharField(allow_null=True)
    last_operation_model = serializers.CharField(allow_null=True)
    total_creates = serializers.IntegerField()
    total_updates = serializers.IntegerField()
    total_deletes = serializers.IntegerField()
    total_models = serializers.IntegerField()
    initialization_time = UnixTimeField()
    last_successful_operation = UnixTimeField()
    error_count = serializers.IntegerField()
    metadata_schema_version = serializers.SerializerMethodField()
    backend_type = serializers.SerializerMethodField()

    class Meta:
        ref_name = "CategoryMetadata"

    def get_metadata_schema_version(self, row) -> str:
        return METADATA_SCHEMA_VERSION

    def get_backend_type(self, row) -> str:
        return BACKEND_TYPE


ALL_METADATA = OpenApiResponse(
    response={"type": "object", "additionalProperties": {"$ref": "#/components/schemas/CategoryMetadata"}},
    description="Metadata by category",
)


class LastUpdatedSerializer(serializers.Serializer):
    last_updated = serializers.IntegerField(allow_null=True)

    class Meta:
        ref_name = "LastUpdated"


class CategoryLastUpdatedSerializer(serializers.Serializer):
    category = serializers.CharField()
    last_updated = UnixTimeField()

    class Meta:
        ref_name = "CategoryLastUpdated"

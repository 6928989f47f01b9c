"""Responses of the text routes: upstream's models (field names, order, nulls), rendered from the
domain values of apps/textmodels (groups.py, selectors.py) and documented as OpenAPI components."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.textmodels.groups import GUIDANCE_STATUSES

_NULLABLE_TEXT = {"allow_null": True, "allow_blank": True}


class ExtraPartSerializer(serializers.Serializer):
    value = serializers.CharField()
    position = serializers.IntegerField()
    inferred_type = serializers.ChoiceField(choices=["DATE", "LEADING_VERSION"])

    class Meta:
        ref_name = "ExtraPartInfo"


class _Parts(serializers.Serializer):
    base_name = serializers.CharField()
    size = serializers.CharField(allow_null=True)
    variant = serializers.CharField(allow_null=True)
    quant = serializers.CharField(allow_null=True)
    version = serializers.CharField(allow_null=True)


class ParsedNameInfoSerializer(_Parts):
    extras = ExtraPartSerializer(many=True)

    class Meta:
        ref_name = "ParsedNameInfo"


class ParsedNameSerializer(serializers.Serializer):
    original_name = serializers.CharField(source="parsed.original_name")
    base_name = serializers.CharField(source="parsed.base_name")
    size = serializers.CharField(source="parsed.size", allow_null=True)
    variant = serializers.CharField(source="parsed.variant", allow_null=True)
    quant = serializers.CharField(source="parsed.quant", allow_null=True)
    version = serializers.CharField(source="parsed.version", allow_null=True)
    suggested_group = serializers.CharField()
    extras = ExtraPartSerializer(source="parsed.extras", many=True)

    class Meta:
        ref_name = "ParsedNameResponse"


class ComposedNameSerializer(serializers.Serializer):
    composed_name = serializers.CharField()
    already_exists = serializers.BooleanField()
    suggested_group = serializers.CharField()

    class Meta:
        ref_name = "ComposeNameResponse"


class BaselinesSerializer(serializers.Serializer):
    baselines = serializers.ListField(child=serializers.CharField())

    class Meta:
        ref_name = "DistinctBaselinesResponse"


class GroupListSerializer(serializers.Serializer):
    groups = serializers.ListField(child=serializers.CharField())

    class Meta:
        ref_name = "GroupListResponse"


class GuidanceSerializer(serializers.Serializer):
    """Upstream's text-guidance summary; HMR keeps no guidance profiles (ids always empty)."""

    status = serializers.ChoiceField(choices=GUIDANCE_STATUSES, source="guidance_status")
    primary_profile_id = serializers.SerializerMethodField()
    supplemental_profile_ids = serializers.SerializerMethodField()

    class Meta:
        ref_name = "TextGuidanceSummary"

    def get_primary_profile_id(self, member) -> str | None:
        return None

    def get_supplemental_profile_ids(self, member) -> list[str]:
        return []


class GroupMemberSerializer(serializers.Serializer):
    name = serializers.CharField()
    parsed = ParsedNameInfoSerializer()
    parameters = serializers.IntegerField(source="fields.parameters", allow_null=True)
    baseline = serializers.CharField(source="fields.baseline", **_NULLABLE_TEXT)
    nsfw = serializers.BooleanField(source="fields.nsfw", allow_null=True)
    description = serializers.CharField(source="fields.description", **_NULLABLE_TEXT)
    url = serializers.CharField(source="fields.url", **_NULLABLE_TEXT)
    style = serializers.CharField(source="fields.style", **_NULLABLE_TEXT)
    tags = serializers.ListField(source="fields.tags", child=serializers.CharField(), allow_null=True)
    display_name = serializers.CharField(source="fields.display_name", **_NULLABLE_TEXT)
    instruct_format = serializers.CharField(source="fields.instruct_format", **_NULLABLE_TEXT)
    is_backend_duplicate = serializers.BooleanField()
    backend_prefix = serializers.CharField(allow_null=True)
    guidance = serializers.SerializerMethodField()

    class Meta:
        ref_name = "GroupMemberInfo"

    @extend_schema_field(GuidanceSerializer(allow_null=True))
    def get_guidance(self, member) -> dict | None:
        return None if member.is_backend_duplicate else GuidanceSerializer(member).data


class NameFormatSerializer(serializers.Serializer):
    separator = serializers.CharField()
    part_order = serializers.ListField(child=serializers.CharField())
    author_included = serializers.BooleanField()
    common_author = serializers.CharField(allow_null=True)
    template = serializers.CharField(allow_blank=True)
    extra_parts = serializers.ListField(child=serializers.CharField())

    class Meta:
        ref_name = "NameFormatInfo"


class FamilySerializer(serializers.Serializer):
    family_name = serializers.CharField()
    members = serializers.ListField(child=serializers.CharField())

    class Meta:
        ref_name = "GroupFamilyResponse"


class ExceptionMemberSerializer(serializers.Serializer):
    name = serializers.CharField()
    reason = serializers.CharField()

    class Meta:
        ref_name = "NameExceptionInfo"


class GuidanceCoverageSerializer(serializers.Serializer):
    published = serializers.IntegerField()
    legacy_label = serializers.IntegerField()
    undocumented = serializers.IntegerField()

    class Meta:
        ref_name = "GuidanceCoverage"


class GroupSerializer(serializers.Serializer):
    group_name = serializers.CharField()
    members = GroupMemberSerializer(many=True)
    common_fields = serializers.DictField(child=serializers.JSONField())
    available_sizes = serializers.ListField(child=serializers.CharField())
    available_variants = serializers.ListField(child=serializers.CharField(allow_null=True))
    available_quants = serializers.ListField(child=serializers.CharField(allow_null=True))
    available_versions = serializers.ListField(child=serializers.CharField(allow_null=True))
    size_usage = serializers.DictField(child=serializers.IntegerField())
    variant_usage = serializers.DictField(child=serializers.IntegerField())
    quant_usage = serializers.DictField(child=serializers.IntegerField())
    name_format = NameFormatSerializer()
    canonical_count = serializers.IntegerField()
    backend_duplicate_count = serializers.IntegerField()
    name_schema_is_custom = serializers.BooleanField()
    exception_members = ExceptionMemberSerializer(many=True)
    related_family = FamilySerializer(allow_null=True)
    guidance_coverage = GuidanceCoverageSerializer()

    class Meta:
        ref_name = "GroupMembersResponse"


class HealthIssueSerializer(serializers.Serializer):
    group_name = serializers.CharField()
    issue_type = serializers.CharField()
    message = serializers.CharField()
    severity = serializers.ChoiceField(choices=["info", "warning"])

    class Meta:
        ref_name = "GroupHealthIssue"


class GroupSummarySerializer(serializers.Serializer):
    group_name = serializers.CharField()
    canonical_count = serializers.IntegerField()
    backend_duplicate_count = serializers.IntegerField()
    has_custom_schema = serializers.BooleanField()
    family_name = serializers.CharField(allow_null=True)
    alias_canonical = serializers.CharField(allow_null=True)
    aliases = serializers.ListField(child=serializers.CharField())
    available_sizes = serializers.ListField(child=serializers.CharField())
    health_issues = HealthIssueSerializer(many=True)

    class Meta:
        ref_name = "GroupSummaryEntry"


class GroupsSummarySerializer(serializers.Serializer):
    groups = GroupSummarySerializer(many=True)
    total_groups = serializers.SerializerMethodField()
    total_models = serializers.IntegerField()
    groups_with_families = serializers.IntegerField()
    groups_with_aliases = serializers.IntegerField()
    groups_with_issues = serializers.IntegerField()

    class Meta:
        ref_name = "GroupsSummaryResponse"

    def get_total_groups(self, overview) -> int:
        return len(overview.groups)


class HealthSerializer(serializers.Serializer):
    issues = HealthIssueSerializer(many=True)
    total_groups_checked = serializers.IntegerField()
    groups_with_issues = serializers.IntegerField()
    issue_counts_by_type = serializers.DictField(child=serializers.IntegerField())

    class Meta:
        ref_name = "GroupHealthResponse"


class BatchUpdateSerializer(serializers.Serializer):
    """A group's proposed batch: `batch_id` is the review batch's id, as a string (upstream: a uuid)."""

    updated_count = serializers.SerializerMethodField()
    batch_id = serializers.SerializerMethodField()
    pending_change_ids = serializers.SerializerMethodField()

    class Meta:
        ref_name = "BatchUpdateResponse"

    def get_updated_count(self, proposed) -> int:
        return len(proposed.changes)

    def get_batch_id(self, proposed) -> str:
        return str(proposed.batch.pk)

    def get_pending_change_ids(self, proposed) -> list[int]:
        return [change.pk for change in proposed.changes]


class NameSchemaSerializer(serializers.Serializer):
    separator = serializers.CharField()
    part_order = serializers.ListField(child=serializers.CharField())
    author_included = serializers.BooleanField()
    common_author = serializers.CharField(allow_null=True)
    template = serializers.CharField(allow_null=True, allow_blank=True)
    extra_parts = serializers.ListField(child=serializers.CharField())

    class Meta:
        ref_name = "TextModelGroupNameSchema"


class GroupNameSchemaSerializer(serializers.Serializer):
    group_name = serializers.CharField()
    name_schema = NameSchemaSerializer()
    is_custom = serializers.BooleanField()

    class Meta:
        ref_name = "GroupNameSchemaResponse"


class PendingChangeIdSerializer(serializers.Serializer):
    pending_change_id = serializers.IntegerField(source="pk")

    class Meta:
        ref_name = "NameExceptionResponse"


class AliasEntrySerializer(serializers.Serializer):
    canonical = serializers.CharField()
    aliases = serializers.ListField(child=serializers.CharField())

    class Meta:
        ref_name = "GroupAliasEntryResponse"


class AliasListSerializer(serializers.Serializer):
    entries = AliasEntrySerializer(many=True)

    class Meta:
        ref_name = "GroupAliasListResponse"


class FamilyListSerializer(serializers.Serializer):
    families = FamilySerializer(many=True)

    class Meta:
        ref_name = "GroupFamilyListResponse"


class FamilySuggestionsSerializer(serializers.Serializer):
    suggestions = FamilySerializer(many=True)
    total_groups_analyzed = serializers.IntegerField()
    groups_in_families = serializers.IntegerField()
    standalone_groups = serializers.IntegerField()

    class Meta:
        ref_name = "DetectFamiliesResponse"

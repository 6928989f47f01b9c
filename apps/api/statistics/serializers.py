"""Output shapes of the statistics endpoints, field for field upstream's (CategoryStatistics,
CombinedModelStatistics, CategoryDeletionRiskResponse, PopularModelResult). Each serializer
renders its body and is the OpenAPI component that documents it.

HMR adds two fields to the deletion-risk body, `as_of` (unix time of the AI-Horde snapshot) and
`stale`; every live answer also carries them as `X-Snapshot-As-Of` / `X-Snapshot-Stale` headers
(with-stats and popular are a map and a list, so headers are their only place)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers


class ShareSerializer(serializers.Serializer):
    tag = serializers.CharField(source="key")
    count = serializers.IntegerField()
    percentage = serializers.FloatField()

    class Meta:
        ref_name = "TagStatistics"


class BaselineShareSerializer(serializers.Serializer):
    baseline = serializers.CharField(source="key")
    count = serializers.IntegerField()
    percentage = serializers.FloatField()

    class Meta:
        ref_name = "BaselineStatistics"


class DownloadStatsSerializer(serializers.Serializer):
    total_models_with_downloads = serializers.IntegerField()
    total_download_entries = serializers.IntegerField()
    total_size_bytes = serializers.IntegerField()
    models_with_size_info = serializers.IntegerField()
    average_size_bytes = serializers.FloatField()
    hosts = serializers.DictField(child=serializers.IntegerField(), help_text="host -> download entries")

    class Meta:
        ref_name = "DownloadStatistics"


class BucketSerializer(serializers.Serializer):
    bucket_label = serializers.CharField(source="label")
    min_params = serializers.IntegerField()
    max_params = serializers.IntegerField(allow_null=True)
    count = serializers.IntegerField()
    percentage = serializers.FloatField()

    class Meta:
        ref_name = "ParameterBucket"


class BaselineMapField(serializers.DictField):
    """The baseline distribution: a map keyed by baseline, ordered by count."""

    child = BaselineShareSerializer()

    def to_representation(self, value):
        return {share.key: self.child.to_representation(share) for share in value}


class CategoryStatisticsSerializer(serializers.Serializer):
    category = serializers.CharField()
    total_models = serializers.IntegerField()
    returned_models = serializers.IntegerField(source="total_models")
    offset = serializers.SerializerMethodField(help_text="this request's, echoed (nothing is paginated)")
    limit = serializers.SerializerMethodField(help_text="this request's, echoed")
    nsfw_count = serializers.IntegerField()
    baseline_distribution = BaselineMapField()
    download_stats = DownloadStatsSerializer()
    top_tags = ShareSerializer(many=True)
    top_styles = ShareSerializer(many=True)
    parameter_buckets = BucketSerializer(many=True, help_text="text_generation only")
    models_without_param_info = serializers.IntegerField()
    models_with_trigger_words = serializers.IntegerField()
    models_with_inpainting = serializers.IntegerField()
    models_with_requirements = serializers.IntegerField()
    models_with_showcases = serializers.IntegerField()
    computed_at = serializers.IntegerField(help_text="Unix time the figures were computed")

    class Meta:
        ref_name = "CategoryStatistics"

    def get_offset(self, stats) -> int:
        return self.context["offset"]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_limit(self, stats):
        return self.context["limit"]


# --- with-stats and popular ---------------------------------------------------------------------


class UsageStatsSerializer(serializers.Serializer):
    day = serializers.IntegerField(source="usage_day")
    month = serializers.IntegerField(source="usage_month")
    total = serializers.IntegerField(source="usage_total")

    class Meta:
        ref_name = "UsageStats"


class WorkerSummarySerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    performance = serializers.CharField(allow_null=True)
    online = serializers.BooleanField(allow_null=True)
    trusted = serializers.BooleanField(allow_null=True)
    uptime = serializers.IntegerField(allow_null=True)
    max_length = serializers.IntegerField(allow_null=True)
    max_context_length = serializers.IntegerField(allow_null=True)
    bridge_agent = serializers.CharField(allow_null=True)
    nsfw = serializers.BooleanField(allow_null=True)

    class Meta:
        ref_name = "WorkerSummary"


class BackendVariationSerializer(serializers.Serializer):
    backend = serializers.CharField()
    variant_name = serializers.CharField()
    worker_count = serializers.IntegerField()
    performance = serializers.FloatField(allow_null=True)
    queued = serializers.IntegerField(allow_null=True)
    queued_jobs = serializers.IntegerField(allow_null=True)
    eta = serializers.IntegerField(allow_null=True)
    usage_day = serializers.IntegerField()
    usage_month = serializers.IntegerField()
    usage_total = serializers.IntegerField()

    class Meta:
        ref_name = "BackendVariation"


def _int(value):
    return None if value is None else round(value)


class CombinedModelStatisticsSerializer(serializers.Serializer):
    """One record's live figures. `observed_at` is the AI-Horde snapshot's time (context)."""

    queued_jobs = serializers.SerializerMethodField()
    performance = serializers.FloatField(allow_null=True)
    eta = serializers.IntegerField(allow_null=True)
    queued = serializers.SerializerMethodField()
    usage_stats = serializers.SerializerMethodField()
    worker_summaries = serializers.SerializerMethodField()
    backend_variations = serializers.SerializerMethodField()
    observed_at = serializers.SerializerMethodField()
    worker_count = serializers.IntegerField()

    class Meta:
        ref_name = "CombinedModelStatistics"

    def get_queued_jobs(self, item) -> int | None:
        return _int(item.queued_jobs)

    def get_queued(self, item) -> int | None:
        return _int(item.queued)

    @extend_schema_field(UsageStatsSerializer(allow_null=True))
    def get_usage_stats(self, item):
        return UsageStatsSerializer(item).data if item.has_usage else None

    @extend_schema_field(serializers.DictField(child=WorkerSummarySerializer(), allow_null=True))
    def get_worker_summaries(self, item):
        if not self.context.get("include_workers") or not item.workers:
            return None
        return {w["id"]: WorkerSummarySerializer(w).data for w in item.workers}

    @extend_schema_field(serializers.DictField(child=BackendVariationSerializer(), allow_null=True))
    def get_backend_variations(self, item):
        if not self.context.get("include_backend_variations"):
            return None
        return {b.backend: BackendVariationSerializer(b).data for b in item.backends}

    def get_observed_at(self, item) -> int:
        return self.context["observed_at"]


WITH_STATS_RESPONSE = OpenApiResponse(
    response={
        "type": "object",
        "additionalProperties": {"$ref": "#/components/schemas/CombinedModelStatistics"},
    },
    description="Record name -> its live figures, in reference order unless sorted",
)


# --- deletion risk -------------------------------------------------------------------------------


class RiskFlagsSerializer(serializers.Serializer):
    zero_usage_day = serializers.BooleanField()
    zero_usage_month = serializers.BooleanField()
    zero_usage_total = serializers.BooleanField()
    no_active_workers = serializers.BooleanField()
    has_multiple_hosts = serializers.BooleanField()
    has_non_preferred_host = serializers.BooleanField()
    has_unknown_host = serializers.BooleanField()
    no_download_urls = serializers.BooleanField()
    missing_description = serializers.BooleanField()
    missing_baseline = serializers.BooleanField()
    low_usage = serializers.BooleanField()

    class Meta:
        ref_name = "DeletionRiskFlags"


class UsageTrendSerializer(serializers.Serializer):
    day_to_month_ratio = serializers.FloatField(allow_null=True)
    month_to_total_ratio = serializers.FloatField(allow_null=True)

    class Meta:
        ref_name = "UsageTrend"


class RiskVariationSerializer(BackendVariationSerializer):
    """A backend's figures in a deletion-risk entry: those of with-stats without the queue."""

    queued = queued_jobs = eta = None

    class Meta:
        ref_name = "BackendAuditVariation"


class ModelRiskSerializer(serializers.Serializer):
    name = serializers.CharField()
    category = serializers.CharField()
    deletion_risk_flags = RiskFlagsSerializer(source="flags")
    at_risk = serializers.BooleanField()
    risk_score = serializers.IntegerField(help_text="Number of flags set (0-11)")
    worker_count = serializers.IntegerField()
    usage_day = serializers.IntegerField()
    usage_month = serializers.IntegerField()
    usage_total = serializers.IntegerField()
    usage_hour = serializers.SerializerMethodField(
        help_text="always null (AI-Horde reports no hourly figure)"
    )
    usage_minute = serializers.SerializerMethodField(help_text="always null")
    usage_percentage_of_category = serializers.FloatField()
    usage_trend = UsageTrendSerializer(source="*")
    cost_benefit_score = serializers.FloatField(allow_null=True)
    size_gb = serializers.FloatField(allow_null=True)
    baseline = serializers.CharField(allow_null=True)
    nsfw = serializers.BooleanField(allow_null=True)
    has_description = serializers.BooleanField()
    download_count = serializers.IntegerField()
    download_hosts = serializers.ListField(child=serializers.CharField())
    backend_variations = serializers.SerializerMethodField()
    is_critical = serializers.BooleanField()
    has_warning = serializers.BooleanField()

    class Meta:
        ref_name = "ModelDeletionRiskInfo"

    def get_usage_hour(self, model) -> int | None:
        return None

    def get_usage_minute(self, model) -> int | None:
        return None

    @extend_schema_field(RiskVariationSerializer(many=True, allow_null=True))
    def get_backend_variations(self, model):
        if not self.context.get("with_variations") or not model.backend_variations:
            return None
        return RiskVariationSerializer(model.backend_variations, many=True).data


class RiskSummarySerializer(serializers.Serializer):
    total_models = serializers.IntegerField()
    models_at_risk = serializers.IntegerField()
    models_critical = serializers.IntegerField()
    models_with_warnings = serializers.IntegerField()
    models_with_zero_day_usage = serializers.IntegerField()
    models_with_zero_month_usage = serializers.IntegerField()
    models_with_zero_total_usage = serializers.IntegerField()
    models_with_no_active_workers = serializers.IntegerField()
    models_with_no_downloads = serializers.IntegerField()
    models_with_non_preferred_hosts = serializers.IntegerField()
    models_with_multiple_hosts = serializers.IntegerField()
    models_with_low_usage = serializers.IntegerField()
    average_risk_score = serializers.FloatField()
    category_total_month_usage = serializers.IntegerField()

    class Meta:
        ref_name = "CategoryDeletionRiskSummary"


class DeletionRiskSerializer(serializers.Serializer):
    category = serializers.CharField()
    category_total_month_usage = serializers.IntegerField()
    total_count = serializers.IntegerField(help_text="models matching the preset (all without one)")
    returned_count = serializers.IntegerField()
    offset = serializers.IntegerField()
    limit = serializers.IntegerField(allow_null=True)
    models = serializers.SerializerMethodField()
    summary = RiskSummarySerializer(help_text="over every model of the category, whatever the preset")
    as_of = serializers.SerializerMethodField(help_text="HMR: unix time of the AI-Horde snapshot")
    stale = serializers.SerializerMethodField(help_text="HMR: the snapshot is older than it should be")

    class Meta:
        ref_name = "CategoryDeletionRiskResponse"

    @extend_schema_field(ModelRiskSerializer(many=True))
    def get_models(self, report):
        return ModelRiskSerializer(report.models, many=True, context=self.context).data

    def get_as_of(self, report) -> int:
        return self.context["observed_at"]

    def get_stale(self, report) -> bool:
        return self.context["stale"]


class PopularModelSerializer(serializers.Serializer):
    """A popular record: its v2 record (as `/v2/{category}/model/{name}` answers it) and its live
    figures without null fields."""

    name = serializers.CharField()
    record = serializers.DictField()
    stats = serializers.SerializerMethodField()

    class Meta:
        ref_name = "PopularModelResult"

    @extend_schema_field(CombinedModelStatisticsSerializer)
    def get_stats(self, item):
        data = CombinedModelStatisticsSerializer(item["stats"], context=self.context).data
        return {key: value for key, value in data.items() if value is not None}

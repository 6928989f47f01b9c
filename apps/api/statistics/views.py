"""`/api/model_references/statistics/{category}[/with-stats|/deletion-risk|/audit]`.

Wire-compatible with the replaced service (paths, parameters, bodies, statuses and messages),
except for its defects, fixed here and tested in tests/api/test_statistics*.py:

- statistics: text parameter counts are read (upstream found none); `offset`/`limit` echo this
  request (upstream echoed 0/null, or a previous caller's values from its cache);
- live data (with-stats, deletion-risk, popular) is read from the AI-Horde usage snapshot, never
  fetched per request: an AI-Horde outage neither slows nor breaks them (upstream answered 500 or
  502); before the first snapshot they answer 503 saying so; `X-Snapshot-As-Of` and
  `X-Snapshot-Stale` say how fresh the figures are, and `observed_at` is the snapshot's time;
- usage is each record's own (upstream summed a whole name group per record, e.g. every magnum
  size), missing usage is 0 (upstream left the zero/low usage flags false), `worker_count` stays
  the status count with `include_workers`, backend variations come in a fixed order;
- deletion-risk: the summary is over the whole category whatever the preset; grouping is never
  confused with the ungrouped answer (upstream's cache mixed them up) and cannot fail.

`/audit` is deletion-risk under the name the replaced service's 2025 web frontend still calls.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.views import APIView

from apps.analytics.deletion_risk import PRESETS
from apps.analytics.selectors import reports
from apps.analytics.selectors.statistics import category_statistics
from apps.api.categories import parse_v2_category
from apps.api.params import query_bool, query_int, query_str
from apps.api.schema import Operation
from apps.api.serializers import ErrorSerializer
from apps.api.statistics import serializers as shapes
from apps.api.statistics.responses import cached_response
from apps.catalog.documents import current_revision

TAGS = ["statistics"]
ERRORS = {code: ErrorSerializer for code in (400, 404, 422, 503)}


def _limit(request) -> int | None:
    return query_int(request, "limit", None, ge=1)


class StatisticsApi(APIView):
    @extend_schema(
        summary="Statistics of a category's records",
        tags=TAGS,
        operation_id="statistics_category",
        parameters=[
            OpenApiParameter("group_text_models", bool, description="text: count each model group once"),
            OpenApiParameter("limit", int, description=">= 1; echoed (nothing is paginated)"),
            OpenApiParameter("offset", int, description=">= 0; echoed"),
        ],
        responses={200: shapes.CategoryStatisticsSerializer, 422: ErrorSerializer},
    )
    def get(self, request, category: str):
        parsed = parse_v2_category(category)
        grouped = bool(query_bool(request, "group_text_models", False))
        limit, offset = _limit(request), query_int(request, "offset", 0, ge=0)

        def build():
            stats = category_statistics(category=parsed, group_text_models=grouped)
            echo = {"offset": offset, "limit": limit}
            return shapes.CategoryStatisticsSerializer(stats, context=echo).data

        key = ("statistics", parsed.value, current_revision(parsed), grouped, limit, offset)
        return cached_response(request, key, build)


class WithStatsApi(APIView):
    @extend_schema(
        summary="Every record with its live AI-Horde figures (from the usage snapshot)",
        tags=TAGS,
        operation_id="statistics_with_stats",
        parameters=[
            OpenApiParameter("include_workers", bool, description="add the workers serving each record"),
            OpenApiParameter("include_backend_variations", bool, description="add per-backend figures"),
            OpenApiParameter("min_worker_count", int, description="only records with at least this many"),
            OpenApiParameter(
                "sort_by", str, enum=list(reports.WITH_STATS_SORTS), description="other: unsorted"
            ),
            OpenApiParameter("sort_desc", bool, description="default true"),
        ],
        responses={200: shapes.WITH_STATS_RESPONSE, **ERRORS},
    )
    def get(self, request, category: str):
        parsed = parse_v2_category(category)
        query = reports.WithStatsQuery(
            include_workers=bool(query_bool(request, "include_workers", False)),
            include_backend_variations=bool(query_bool(request, "include_backend_variations", False)),
            min_worker_count=query_int(request, "min_worker_count", None),
            sort_by=query_str(request, "sort_by"),
            sort_desc=bool(query_bool(request, "sort_desc", True)),
        )
        reports.with_stats_check(parsed)
        snapshot = reports.live_snapshot(parsed, not_found=reports.with_stats_not_found(parsed))
        context = {
            "observed_at": snapshot.as_of_unix,
            "include_workers": query.include_workers,
            "include_backend_variations": query.include_backend_variations,
        }

        def build():
            items = reports.with_stats(parsed, query)
            data = shapes.CombinedModelStatisticsSerializer(items, many=True, context=context).data
            return {item.name: entry for item, entry in zip(items, data, strict=True)}

        key = ("with-stats", parsed.value, current_revision(parsed), snapshot.version, query)
        return cached_response(request, key, build, snapshot)


class DeletionRiskApi(APIView):
    """One view for `/deletion-risk` and `/audit` (`as_view(route=...)`), documented per route."""

    route = "deletion-risk"

    @extend_schema(
        tags=TAGS,
        parameters=[
            OpenApiParameter("group_text_models", bool, description="text: one entry per model group"),
            OpenApiParameter("include_backend_variations", bool, description="text, ungrouped: per backend"),
            OpenApiParameter("preset", str, enum=list(PRESETS)),
            OpenApiParameter("limit", int, description=">= 1"),
            OpenApiParameter("offset", int, description=">= 0"),
        ],
        responses={200: shapes.DeletionRiskSerializer, **ERRORS},
    )
    def get(self, request, category: str):
        parsed = parse_v2_category(category)
        query = reports.RiskQuery(
            group_text_models=bool(query_bool(request, "group_text_models", False)),
            include_backend_variations=bool(query_bool(request, "include_backend_variations", False)),
            preset=query_str(request, "preset"),
            limit=_limit(request),
            offset=query_int(request, "offset", 0, ge=0),
        )
        reports.deletion_risk_check(parsed, query)
        snapshot = reports.live_snapshot(parsed, not_found=reports.deletion_risk_not_found(parsed))

        def build():
            report = reports.deletion_risk_report(parsed, query)
            context = {
                "observed_at": snapshot.as_of_unix,
                "stale": snapshot.stale,
                "with_variations": report.with_variations,
            }
            return shapes.DeletionRiskSerializer(report, context=context).data

        key = ("risk", parsed.value, current_revision(parsed), snapshot.version, snapshot.stale, query)
        return cached_response(request, key, build, snapshot)

    def openapi_operation(self, method: str):
        if self.route == "audit":
            return Operation(
                operation_id="statistics_audit",
                summary="Deletion risk under its former name (the replaced service's 2025 web frontend)",
            )
        return Operation(operation_id="statistics_deletion_risk", summary="Deletion risk of every record")

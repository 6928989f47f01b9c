"""`GET /api/model_references/v2/{category}/popular`: the most served or most used records.

Upstream's parameters and errors (422 for an unknown category or `sort_by`); `[]` for categories
AI-Horde does not serve. Figures come from the usage snapshot (503 before the first one; never
an AI-Horde call, where upstream answered a plain-text 500 when AI-Horde was down). Each item's
`record` is the v2 record as `/v2/{category}/model/{name}` answers it (upstream dumped its own
field names, `parameters_count`, and a `licensing` object HMR does not hold), and `stats` its
figures without null fields, `observed_at` being the snapshot's time.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.views import APIView

from apps.analytics.categories import LIVE_CATEGORIES
from apps.analytics.selectors import reports
from apps.api.categories import parse_search_category
from apps.api.errors import RequestValidationError, validation_error
from apps.api.params import query_bool, query_int, query_str
from apps.api.serializers import ErrorSerializer
from apps.api.statistics.responses import cached_response
from apps.api.statistics.serializers import PopularModelSerializer
from apps.catalog import selectors
from apps.catalog.documents import current_revision
from apps.core.errors import NotFound

_EXPECTED = " or ".join(
    [", ".join(f"'{s}'" for s in reports.POPULAR_SORTS[:-1]), f"'{reports.POPULAR_SORTS[-1]}'"]
)


def _sort_by(request) -> str:
    value = query_str(request, "sort_by") or "worker_count"
    if value not in reports.POPULAR_SORTS:
        raise RequestValidationError(
            [
                validation_error(
                    ["query", "sort_by"],
                    f"Input should be {_EXPECTED}",
                    value,
                    "literal_error",
                    expected=_EXPECTED,
                )
            ]
        )
    return value


class PopularApi(APIView):
    @extend_schema(
        summary="The most served or most used records of a category",
        tags=["v2"],
        operation_id="v2_category_popular",
        parameters=[
            OpenApiParameter("limit", int, description="1-100, default 10"),
            OpenApiParameter(
                "sort_by", str, enum=list(reports.POPULAR_SORTS), description="default worker_count"
            ),
            OpenApiParameter("include_workers", bool, description="add the workers serving each record"),
        ],
        responses={200: PopularModelSerializer(many=True), 422: ErrorSerializer, 503: ErrorSerializer},
    )
    def get(self, request, category: str):
        parsed = parse_search_category(category)
        limit = query_int(request, "limit", 10, ge=1, le=100)
        sort_by = _sort_by(request)
        include_workers = bool(query_bool(request, "include_workers", False))
        try:
            if parsed not in LIVE_CATEGORIES:
                raise NotFound("AI-Horde does not serve this category")
            snapshot = reports.live_snapshot(parsed, not_found="no records")
        except (
            NotFound
        ):  # upstream: nothing is popular in a category AI-Horde does not serve or that is empty
            return cached_response(request, ("popular", "none"), list)
        context = {"observed_at": snapshot.as_of_unix, "include_workers": include_workers}

        def build():
            items = [
                {"name": s.name, "record": selectors.record_v2(parsed, s.name), "stats": s}
                for s in reports.popular(parsed, sort_by=sort_by, limit=limit)
            ]
            return PopularModelSerializer(items, many=True, context=context).data

        key = (
            "popular",
            parsed.value,
            current_revision(parsed),
            snapshot.version,
            sort_by,
            limit,
            include_workers,
        )
        return cached_response(request, key, build, snapshot)

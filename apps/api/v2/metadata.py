"""`/model_references/{v1|v2}/metadata/...`: per-category write counters and last update times."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.api.v2 import schemas
from apps.catalog.models import CategoryMetadata
from apps.catalog.services import category_metadata_all
from apps.core import clock
from apps.core.errors import Unavailable

METADATA_SCHEMA_VERSION = "1.0.0"
BACKEND_TYPE = "DatabaseBackend"
_FORMAT_OF_VERSION = {"v1": "legacy", "v2": "v2"}


def _guard(api_version: str) -> None:
    if settings.HMR_REPLICATE_MODE == "REPLICA":
        raise Unavailable("Metadata tracking is not supported in REPLICA mode")
    wanted = _FORMAT_OF_VERSION[api_version]
    canonical = settings.HMR_CANONICAL_FORMAT
    if canonical != wanted:
        raise Unavailable(
            f"This endpoint is only available when canonical_format='{wanted}'. "
            f"Current setting: canonical_format='{canonical}'"
        )


def metadata_body(row: CategoryMetadata) -> dict:
    return {
        "category": row.category,
        "last_updated": clock.unix(row.last_updated),
        "last_operation_type": row.last_operation_type,
        "last_operation_model": row.last_operation_model,
        "total_creates": row.total_creates,
        "total_updates": row.total_updates,
        "total_deletes": row.total_deletes,
        "total_models": row.total_models,
        "initialization_time": clock.unix(row.initialization_time),
        "last_successful_operation": clock.unix(row.last_successful_operation),
        "error_count": row.error_count,
        "metadata_schema_version": METADATA_SCHEMA_VERSION,
        "backend_type": BACKEND_TYPE,
    }


def _category_row(raw: str) -> CategoryMetadata:
    """The metadata row of the path's category (422 for an unknown category)."""
    from apps.api.v2.views import parse_v2_category

    category = parse_v2_category(raw, loc="category")
    return next(r for r in category_metadata_all() if r.category == category.value)


class LastUpdatedApi(APIView):
    api_version = "v2"
    doc = ("When any category last changed", schemas.last_updated_response)

    def get(self, request):
        _guard(self.api_version)
        times = [clock.unix(r.last_updated) for r in category_metadata_all()]
        return Response({"last_updated": max(times) if times else None})


class AllMetadataApi(APIView):
    api_version = "v2"
    doc = ("Metadata of every category", schemas.all_metadata_response)

    def get(self, request):
        _guard(self.api_version)
        return Response({r.category: metadata_body(r) for r in category_metadata_all()})


class CategoryMetadataApi(APIView):
    api_version = "v2"
    doc = ("Metadata of one category", schemas.category_metadata_response)

    def get(self, request, category: str):
        _guard(self.api_version)
        return Response(metadata_body(_category_row(category)))


class CategoryLastUpdatedApi(APIView):
    api_version = "v2"
    doc = ("When one category last changed", schemas.category_last_updated_response)

    def get(self, request, category: str):
        _guard(self.api_version)
        row = _category_row(category)
        return Response({"category": row.category, "last_updated": clock.unix(row.last_updated)})


def metadata_urls(api_version: str) -> list:
    from django.urls import path

    def view(cls):
        summary, response = cls.doc

        def get(self, request, *args, **kwargs):
            return cls.get(self, request, *args, **kwargs)

        documented = extend_schema(
            summary=summary,
            responses=response,
            tags=["metadata"],
            operation_id=f"{api_version}_{cls.__name__.removesuffix('Api')}",
        )(get)
        return type(cls.__name__, (cls,), {"api_version": api_version, "get": documented}).as_view()

    prefix = f"{api_version}-metadata"
    return [
        path("metadata/last_updated", view(LastUpdatedApi), name=f"{prefix}-last-updated"),
        path("metadata/metadata", view(AllMetadataApi), name=f"{prefix}-all"),
        path(
            "metadata/<str:category>/last_updated",
            view(CategoryLastUpdatedApi),
            name=f"{prefix}-category-last",
        ),
        path("metadata/<str:category>", view(CategoryMetadataApi), name=f"{prefix}-category"),
    ]

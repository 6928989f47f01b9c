"""`/model_references/{v1|v2}/metadata/...`: per-category write counters and last update times.

One set of views for both versions, mounted with `as_view(api_version=...)` (`metadata_urls`);
each answers only on the version whose format is canonical, and never on a REPLICA (upstream §5).
"""

from __future__ import annotations

from django.conf import settings
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.api.categories import parse_v2_category
from apps.api.schema import Operation
from apps.api.serializers import (
    ALL_METADATA,
    CategoryLastUpdatedSerializer,
    CategoryMetadataSerializer,
    LastUpdatedSerializer,
)
from apps.catalog.models import CategoryMetadata
from apps.catalog.services import category_metadata_all
from apps.core import clock
from apps.core.errors import Unavailable

_FORMAT_OF_VERSION = {"v1": "legacy", "v2": "v2"}


class MetadataApi(APIView):
    api_version = "v2"
    summary = ""
    response = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if settings.HMR_REPLICATE_MODE == "REPLICA":
            raise Unavailable("Metadata tracking is not supported in REPLICA mode")
        wanted, canonical = _FORMAT_OF_VERSION[self.api_version], settings.HMR_CANONICAL_FORMAT
        if canonical != wanted:
            raise Unavailable(
                f"This endpoint is only available when canonical_format='{wanted}'. "
                f"Current setting: canonical_format='{canonical}'"
            )

    def openapi_operation(self, method: str) -> Operation:
        name = type(self).__name__.removesuffix("Api")
        return Operation(
            f"{self.api_version}_{name}", self.summary, responses=self.response, tags=["metadata"]
        )

    def category_row(self, raw: str) -> CategoryMetadata:
        """The metadata row of the path's category (422 for an unknown category)."""
        category = parse_v2_category(raw, loc="category")
        return next(r for r in category_metadata_all() if r.category == category.value)


class LastUpdatedApi(MetadataApi):
    summary, response = "When any category last changed", LastUpdatedSerializer

    def get(self, request):
        times = [clock.unix(r.last_updated) for r in category_metadata_all()]
        return Response(LastUpdatedSerializer({"last_updated": max(times) if times else None}).data)


class AllMetadataApi(MetadataApi):
    summary, response = "Metadata of every category", ALL_METADATA

    def get(self, request):
        return Response({r.category: CategoryMetadataSerializer(r).data for r in category_metadata_all()})


class CategoryMetadataApi(MetadataApi):
    summary, response = "Metadata of one category", CategoryMetadataSerializer

    def get(self, request, category: str):
        return Response(CategoryMetadataSerializer(self.category_row(category)).data)


class CategoryLastUpdatedApi(MetadataApi):
    summary, response = "When one category last changed", CategoryLastUpdatedSerializer

    def get(self, request, category: str):
        return Response(CategoryLastUpdatedSerializer(self.category_row(category)).data)


def metadata_urls(api_version: str) -> list:
    prefix = f"{api_version}-metadata"

    def view(cls):
        return cls.as_view(api_version=api_version)

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

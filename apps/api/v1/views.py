"""The legacy (v1) read API: the legacy files as bytes, byte-identical to the legacy export."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.api.categories import parse_v1_category
from apps.api.conditional import KeepsNoResponseMixin, document_response
from apps.api.params import query_bool
from apps.api.serializers import CATEGORY_NAMES, MessageSerializer
from apps.api.v1.writes import V1DeleteMixin, V1RecordWritesMixin
from apps.catalog import documents
from apps.catalog.categories import Category
from apps.catalog.formats.render import V1, V1_GROUPED
from apps.core.errors import NotFound

INFO = (
    "Get information about the legacy model reference API. This is the legacy model reference API, which "
    "uses the format originally found at the github repositories: - "
    "https://github.com/Haidra-Org/AI-Horde-image-model-reference - "
    "https://github.com/Haidra-Org/AI-Horde-text-model-reference"
)
LEGACY_DOCUMENT = OpenApiResponse(description="The legacy file of the category, as bytes (JSON).")


class InfoApi(APIView):
    @extend_schema(summary="About the v1 API", tags=["v1"], responses=MessageSerializer)
    def get(self, request):
        return Response(MessageSerializer({"message": INFO}).data)


class CategoriesApi(APIView):
    @extend_schema(summary="All category names", tags=["v1"], responses=CATEGORY_NAMES)
    def get(self, request):
        return Response([c.value for c in Category])


class CategoryDocumentApi(KeepsNoResponseMixin, V1RecordWritesMixin, APIView):
    """`GET /v1/{category}`; POST and PUT queue writes on legacy-canonical deployments."""

    @extend_schema(
        summary="A category's legacy file",
        tags=["v1"],
        parameters=[
            OpenApiParameter("include_group", bool, description="text_generation only: add group fields"),
        ],
        responses={
            200: LEGACY_DOCUMENT,
            404: OpenApiResponse(description="not found or empty"),
            422: OpenApiResponse(description="invalid category"),
        },
    )
    def get(self, request, category: str):
        parsed = parse_v1_category(category)
        grouped = parsed == Category.TEXT_GENERATION and query_bool(request, "include_group", False)
        document = documents.category_document(parsed, V1_GROUPED if grouped else V1)
        if parsed == Category.TEXT_GENERATION and document.empty:
            raise NotFound("Text generation models not found or empty")
        if document.blank and parsed not in (Category.LORA, Category.TI):
            raise NotFound(f"Model category '{parsed.value}' not found or is empty")
        return document_response(request, parsed.value, document)


class RecordDeleteApi(V1DeleteMixin, APIView):
    """`DELETE /v1/{category}/model/{name}` (legacy-canonical deployments only)."""

    http_method_names = ["delete", "options"]

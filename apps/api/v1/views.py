"""The legacy (v1) read API: the legacy files as bytes, byte-identical to the legacy export."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.api.conditional import document_response
from apps.api.params import query_bool
from apps.api.v2 import schemas
from apps.api.writes import WRITE_SCHEMA, V1WritesMixin, queue_write
from apps.catalog import documents
from apps.catalog.categories import Category
from apps.core.errors import ApplicationError, NotFound

INFO = (
    "Get information about the legacy model reference API. This is the legacy model reference API, which "
    "uses the format originally found at the github repositories: - "
    "https://github.com/Haidra-Org/AI-Horde-image-model-reference - "
    "https://github.com/Haidra-Org/AI-Horde-text-model-reference"
)
LEGACY_DOCUMENT = OpenApiResponse(description="The legacy file of the category, as bytes (JSON).")


def parse_v1_category(raw: str) -> Category:
    """Upstream's v1 aliases: `db.json` -> text_generation, a trailing `.json` dropped,
    `stable_diffusion` -> image_generation. Unknown -> 422 with upstream's message."""
    name = "text_generation" if raw == "db.json" else raw.removesuffix(".json")
    if name == "stable_diffusion":
        name = Category.IMAGE_GENERATION.value
    try:
        return Category(name)
    except ValueError:
        raise ApplicationError(
            f"Invalid model category: '{name}'. '{name}' is not a valid MODEL_REFERENCE_CATEGORY", status=422
        ) from None


class InfoApi(APIView):
    @extend_schema(summary="About the v1 API", tags=["v1"], responses=schemas.message_response)
    def get(self, request):
        return Response({"message": INFO})


class CategoriesApi(APIView):
    @extend_schema(summary="All category names", tags=["v1"], responses=schemas.categories_response)
    def get(self, request):
        return Response([c.value for c in Category])


class CategoryDocumentApi(V1WritesMixin, APIView):
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
        document = documents.category_document(parsed, documents.V1_GROUPED if grouped else documents.V1)
        if parsed == Category.TEXT_GENERATION and document.empty:
            raise NotFound("Text generation models not found or empty")
        if document.blank and parsed not in (Category.LORA, Category.TI):
            raise NotFound(f"Model category '{parsed.value}' not found or is empty")
        return document_response(request, parsed.value, document)


class RecordDeleteApi(V1WritesMixin, APIView):
    """`DELETE /v1/{category}/model/{name}` (legacy-canonical deployments only)."""

    http_method_names = ["delete", "options"]

    @WRITE_SCHEMA(
        "Queue the deletion of a legacy record (legacy-canonical deployments)", body=False, tags=["v1"]
    )
    def delete(self, request, category: str, name: str):
        parsed = parse_v1_category(category)
        return queue_write(
            request,
            category=parsed,
            operation="delete",
            name=name,
            payload=None,
            api_version="v1",
            route=f"delete_v1_{parsed.value}",
        )

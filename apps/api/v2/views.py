"""The v2 read API: category documents, single records, search."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.api.conditional import document_response, json_response
from apps.api.errors import RequestValidationError, validation_error
from apps.api.params import query_bool, query_int, query_list, query_str
from apps.api.permissions import IsReader
from apps.api.v2 import schemas
from apps.api.writes import V2WritesMixin
from apps.catalog import documents, selectors
from apps.catalog.categories import CATEGORIES, Category
from apps.catalog.search import SearchQuery, record_search
from apps.core.errors import ApplicationError, NotFound
from apps.moderation.selectors import pending_records

INFO = (
    "Get information about the v2 model reference API. This is the v2 model reference API, which uses the "
    "new format established by horde_model_reference."
)
_EXPECTED = ", ".join(f"'{c.value}'" for c in list(Category)[:-1]) + f" or '{list(Category)[-1].value}'"
ERRORS = {404: schemas.error_response, 422: schemas.error_response}


def parse_v2_category(raw: str, *, loc: str = "model_category_name") -> Category:
    """Exact category values only (422 in FastAPI's enum shape otherwise)."""
    try:
        return Category(raw)
    except ValueError:
        raise RequestValidationError(
            [validation_error(["path", loc], f"Input should be {_EXPECTED}", raw, "enum", expected=_EXPECTED)]
        ) from None


def served_categories() -> list[Category]:
    """Categories with a v2 document (lora and ti are managed elsewhere)."""
    return [c for c, info in CATEGORIES.items() if not info.managed_elsewhere]


class InfoApi(APIView):
    @extend_schema(summary="About the v2 API", tags=["v2"], responses=schemas.message_response)
    def get(self, request):
        return Response({"message": INFO})


class CategoriesApi(APIView):
    @extend_schema(
        summary="Categories with a v2 document", tags=["v2"], responses=schemas.categories_response
    )
    def get(self, request):
        return Response([c.value for c in served_categories()])


class CategoryDocumentApi(V2WritesMixin, APIView):
    """`GET /v2/{category}`: the category's records as stored bytes (ETag, 304, gzip).
    `POST` queues a create (V2WritesMixin)."""

    category: Category | None = None  # set on the typed per-category routes

    @extend_schema(
        summary="All records of a category",
        tags=["v2"],
        responses={200: OpenApiResponse(description="{name: record}"), **ERRORS},
    )
    def get(self, request, category: str | None = None):
        parsed = self.category or parse_v2_category(category)
        if CATEGORIES[parsed].managed_elsewhere:
            raise NotFound(f"Model category '{parsed.value}' not found")
        return document_response(request, parsed.value, documents.category_document(parsed, documents.V2))


class RecordApi(V2WritesMixin, APIView):
    """`GET /v2/{category}/model/{name}`; names may contain "/". `PUT`/`DELETE` queue changes."""

    category: Category | None = None

    @extend_schema(
        summary="One record", tags=["v2"], responses={200: OpenApiResponse(description="a record"), **ERRORS}
    )
    def get(self, request, name: str, category: str | None = None):
        parsed = self.category or parse_v2_category(category)
        revision = documents.current_revision(parsed)  # read first: the record is at least this new
        record = selectors.record_v2(parsed, name)
        if record is None:
            raise NotFound(f"Model '{name}' not found in category '{parsed.value}'")
        return json_response(request, record, revisions={parsed.value: revision})


SEARCH_PARAMETERS = [
    OpenApiParameter("nsfw", bool),
    OpenApiParameter("baseline", str, description="exact baseline"),
    OpenApiParameter("inpainting", bool),
    OpenApiParameter("tags_any", str, many=True),
    OpenApiParameter("tags_all", str, many=True),
    OpenApiParameter("tags_none", str, many=True),
    OpenApiParameter("name_contains", str, description="case-insensitive substring of the name"),
    OpenApiParameter("sort_by", str, description="a record field; nested fields with __"),
    OpenApiParameter("sort_desc", bool),
    OpenApiParameter("limit", int, description="1-500, default 50"),
    OpenApiParameter("offset", int, description=">= 0"),
]
TEXT_PARAMETERS = [
    OpenApiParameter(
        "backend", str, enum=["aphrodite", "koboldcpp"], description="text: names as this backend serves them"
    ),
    OpenApiParameter("exclude_backend_variations", bool, description="text: v2 stores base names only"),
    OpenApiParameter("quantized", bool, description="text: only (or no) quantised names"),
    OpenApiParameter("source", str, description="'horde' (default) or 'any'"),
]


def _search_query(request, category: Category | None) -> SearchQuery:
    backend = query_str(request, "backend")
    if backend is not None and backend not in ("aphrodite", "koboldcpp"):
        raise RequestValidationError(
            [
                validation_error(
                    ["query", "backend"],
                    "Input should be 'aphrodite' or 'koboldcpp'",
                    backend,
                    "literal_error",
                )
            ]
        )
    if backend is not None and category != Category.TEXT_GENERATION:
        raise ApplicationError(
            "Filter not supported for this category: backend applies to text_generation only"
        )
    query_bool(request, "exclude_backend_variations", False)  # validated; v2 never stores backend variants
    return SearchQuery(
        category=category,
        nsfw=query_bool(request, "nsfw", None),
        baseline=query_str(request, "baseline"),
        inpainting=query_bool(request, "inpainting", None),
        tags_any=query_list(request, "tags_any"),
        tags_all=query_list(request, "tags_all"),
        tags_none=query_list(request, "tags_none"),
        name_contains=query_str(request, "name_contains"),
        sort_by=query_str(request, "sort_by"),
        sort_desc=query_bool(request, "sort_desc", False),
        limit=query_int(request, "limit", 50, ge=1, le=500),
        offset=query_int(request, "offset", 0, ge=0),
        backend=backend,
        quantized=query_bool(request, "quantized", None),
        source=query_str(request, "source") or "horde",
    )


def _search_response(request, category: Category | None):
    query = _search_query(request, category)
    searched = [category] if category is not None else list(Category)
    revisions = {c.value: documents.current_revision(c) for c in searched}  # read before the query
    page = record_search(query)
    body = {
        "results": page.results,
        "total": page.total,
        "offset": page.offset,
        "limit": page.limit,
        "has_more": page.has_more,
    }
    return json_response(request, body, revisions=revisions)


class CategorySearchApi(APIView):
    category: Category | None = None

    @extend_schema(
        summary="Search one category",
        tags=["v2"],
        parameters=SEARCH_PARAMETERS + TEXT_PARAMETERS,
        operation_id="v2_category_search",
        responses={200: schemas.search_response, 400: schemas.error_response, 422: schemas.error_response},
    )
    def get(self, request, category: str | None = None):
        parsed = self.category
        if parsed is None:
            try:
                parsed = Category(category)
            except ValueError:
                raise ApplicationError(
                    f"Unknown category '{category}'. Valid: {[c.value for c in Category]}", status=422
                ) from None
        return _search_response(request, parsed)


class SearchApi(APIView):
    @extend_schema(
        summary="Search every category",
        tags=["v2"],
        parameters=SEARCH_PARAMETERS,
        operation_id="v2_search",
        responses={200: schemas.search_response, 400: schemas.error_response, 422: schemas.error_response},
    )
    def get(self, request):
        return _search_response(request, None)


class CategoryAddApi(V2WritesMixin, APIView):
    """`POST /v2/{category}/add`: a create whose record type is the path's category (never guessed)."""

    category: Category | None = None
    http_method_names = ["post", "options"]


class PendingApi(APIView):
    """`GET /v2/{category}/pending`: the latest proposed version of each model (any valid key)."""

    permission_classes = [IsReader]
    category: Category | None = None

    @extend_schema(
        summary="Proposed (pending or approved) records of a category",
        tags=["v2"],
        responses={200: OpenApiTypes.OBJECT, 401: schemas.error_response, 422: schemas.error_response},
    )
    def get(self, request, category: str | None = None):
        parsed = self.category or parse_v2_category(category)
        return Response(pending_records(parsed))

"""The v2 read API: category documents, single records, search, the pending channel.

Every view serves both the per-category routes (`as_view(category=...)`, upstream's typed
routes, each documented with its category's record component) and the generic routes with the
category in the path. Writes on the same URLs come from apps/api/v2/writes.py.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.api.categories import parse_search_category
from apps.api.conditional import KeepsNoResponseMixin, document_response, json_response
from apps.api.errors import RequestValidationError, validation_error
from apps.api.params import query_bool, query_int, query_list, query_str
from apps.api.permissions import IsReader
from apps.api.schema import Operation
from apps.api.serializers import CATEGORY_NAMES, ERRORS, ErrorSerializer, MessageSerializer
from apps.api.v2 import schemas
from apps.api.v2.writes import V2CategoryView, V2CreateMixin, V2RecordWritesMixin
from apps.api.writes import WRITE_RESPONSES
from apps.catalog import documents, selectors
from apps.catalog.categories import CATEGORIES, Category, served_categories
from apps.catalog.formats.render import V2
from apps.catalog.search import SearchQuery, record_search
from apps.core.errors import ApplicationError, NotFound
from apps.moderation.selectors import pending_records

INFO = (
    "Get information about the v2 model reference API. This is the v2 model reference API, which uses the "
    "new format established by horde_model_reference."
)
TAGS = ["v2"]


class InfoApi(APIView):
    @extend_schema(summary="About the v2 API", tags=TAGS, responses=MessageSerializer)
    def get(self, request):
        return Response(MessageSerializer({"message": INFO}).data)


class CategoriesApi(APIView):
    @extend_schema(summary="Categories with a v2 document", tags=TAGS, responses=CATEGORY_NAMES)
    def get(self, request):
        return Response([c.value for c in served_categories()])


def _write_operation(view: V2CategoryView, operation: str, method: str, verb: str, body: bool) -> Operation:
    """A queued write: the category's record in (per-category routes), 202 and the change out."""
    category = view.category
    if category is None:
        article = "an" if verb == "update" else "the"
        return Operation(
            summary=f"Queue {article} {verb} of a record",
            request=OpenApiTypes.OBJECT if body else None,
            responses=WRITE_RESPONSES,
            tags=TAGS,
        )
    return Operation(
        operation_id=f"v2_{category.value}_{operation}_{method}",
        summary=f"Queue the {verb} of a {category.value} record",
        request=schemas.record_serializer(category) if body else None,
        responses=WRITE_RESPONSES,
        tags=TAGS,
    )


class CategoryDocumentApi(KeepsNoResponseMixin, V2CreateMixin):
    """`GET /v2/{category}`: the category's records as stored bytes (ETag, 304, gzip).
    `POST` queues a create."""

    def get(self, request, category: str | None = None):
        parsed = self.path_category(category)
        if CATEGORIES[parsed].managed_elsewhere:
            raise NotFound(f"Model category '{parsed.value}' not found")
        return document_response(request, parsed.value, documents.category_document(parsed, V2))

    def openapi_operation(self, method: str) -> Operation:
        if method == "post":
            return _write_operation(self, "document", method, "creation", body=True)
        if self.category is None:
            responses = {200: OpenApiResponse(description="{name: record}"), **ERRORS}
            return Operation(summary="All records of a category", responses=responses, tags=TAGS)
        return Operation(
            operation_id=f"v2_{self.category.value}_document",
            summary=f"All {self.category.value} records",
            responses={200: schemas.document_schema(self.category), **ERRORS},
            tags=TAGS,
        )


class CategoryAddApi(V2CreateMixin):
    """`POST /v2/{category}/add`: a create whose record type is the path's category."""

    http_method_names = ["post", "options"]

    def openapi_operation(self, method: str) -> Operation:
        return _write_operation(self, "add", method, "creation", body=True)


class RecordApi(V2RecordWritesMixin):
    """`GET /v2/{category}/model/{name}`; names may contain "/". `PUT`/`DELETE` queue changes."""

    def get(self, request, name: str, category: str | None = None):
        parsed = self.path_category(category)
        revision = documents.current_revision(parsed)  # read first: the record is at least this new
        record = selectors.record_v2(parsed, name)
        if record is None:
            raise NotFound(f"Model '{name}' not found in category '{parsed.value}'")
        return json_response(request, record, revisions={parsed.value: revision})

    def openapi_operation(self, method: str) -> Operation:
        if method == "put":
            return _write_operation(self, "model", method, "update", body=True)
        if method == "delete":
            return _write_operation(self, "model", method, "deletion", body=False)
        if self.category is None:
            responses = {200: OpenApiResponse(description="a record"), **ERRORS}
            return Operation(summary="One record", responses=responses, tags=TAGS)
        return Operation(
            operation_id=f"v2_{self.category.value}_model",
            summary=f"One {self.category.value} record",
            responses={200: schemas.record_serializer(self.category), **ERRORS},
            tags=TAGS,
        )


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
SEARCH_RESPONSES = {200: schemas.SearchPageSerializer, 400: ErrorSerializer, 422: ErrorSerializer}


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
    return json_response(request, schemas.SearchPageSerializer(page).data, revisions=revisions)


class CategorySearchApi(V2CategoryView):
    @extend_schema(parameters=SEARCH_PARAMETERS + TEXT_PARAMETERS, responses=SEARCH_RESPONSES)
    def get(self, request, category: str | None = None):
        return _search_response(request, self.category or parse_search_category(category))

    def openapi_operation(self, method: str) -> Operation:
        if self.category is None:
            return Operation("v2_category_search", "Search one category", tags=TAGS)
        return Operation(
            f"v2_{self.category.value}_search", f"Search {self.category.value} records", tags=TAGS
        )


class SearchApi(APIView):
    @extend_schema(
        summary="Search every category",
        tags=TAGS,
        parameters=SEARCH_PARAMETERS,
        operation_id="v2_search",
        responses=SEARCH_RESPONSES,
    )
    def get(self, request):
        return _search_response(request, None)


class PendingApi(V2CategoryView):
    """`GET /v2/{category}/pending`: the latest proposed version of each model (any valid key)."""

    permission_classes = [IsReader]

    @extend_schema(
        summary="Proposed (pending or approved) records of a category",
        tags=TAGS,
        responses={200: OpenApiTypes.OBJECT, 401: ErrorSerializer, 422: ErrorSerializer},
    )
    def get(self, request, category: str | None = None):
        return Response(pending_records(self.path_category(category)))

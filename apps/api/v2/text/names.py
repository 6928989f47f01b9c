"""`parse_name`, `compose_name`, `distinct_baselines`: open reads (compose is a POST anyone may call)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.api.schema import Operation
from apps.api.serializers import ErrorSerializer
from apps.api.v2.text import serializers as shapes
from apps.api.v2.text.base import TAGS, TextApi, required_query
from apps.api.v2.text.bodies import ComposeNameRequest, body_of
from apps.textmodels import selectors

NAME = OpenApiParameter("name", str, required=True, description="A model name, parsed as given")


class ParseNameApi(TextApi):
    @extend_schema(
        summary="Parse a text model name into its parts",
        tags=TAGS,
        parameters=[NAME],
        responses={200: shapes.ParsedNameSerializer, 422: ErrorSerializer},
    )
    def get(self, request):
        parsed = selectors.name_parse(required_query(request, "name"), stores=self.stores)
        return Response(shapes.ParsedNameSerializer(parsed).data)


class ComposeNameApi(APIView):
    """A POST anyone may call: it writes nothing."""

    def openapi_operation(self, method: str) -> Operation:
        return Operation(operation_id=f"v2_text_utils_compose_name_{method}", tags=TAGS)

    @extend_schema(
        summary="Compose a model name from its parts and check whether it exists",
        tags=TAGS,
        request=ComposeNameRequest,
        responses={200: shapes.ComposedNameSerializer, 422: ErrorSerializer},
    )
    def post(self, request):
        body = body_of(request, ComposeNameRequest)
        return Response(shapes.ComposedNameSerializer(selectors.name_compose(**body.model_dump())).data)


class DistinctBaselinesApi(TextApi):
    @extend_schema(
        summary="The distinct baselines of the text models", tags=TAGS, responses=shapes.BaselinesSerializer
    )
    def get(self, request):
        return Response(shapes.BaselinesSerializer({"baselines": selectors.distinct_baselines()}).data)

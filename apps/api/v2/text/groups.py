"""The group routes: `groups`, `group`, `groups/summary`, `groups/health` (reads), and the writes
`group/common_fields` (a proposed batch, 202), `group/name_schema` (the schema store) and
`{model_name}/name_exception` (a queued update, 202). Group names come in `?name=` (they may
hold "/"); a model name in the path may hold "/" too."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from apps.api.serializers import WRITE_ERRORS, ErrorSerializer
from apps.api.v2.text import serializers as shapes
from apps.api.v2.text.base import TAGS, TextApi, collected, required_query, stored_name
from apps.api.v2.text.bodies import (
    CommonFieldsUpdateRequest,
    GroupNameSchemaUpdateRequest,
    NameExceptionRequest,
    body_of,
)
from apps.catalog.formats.text_groups import infer_name_format
from apps.core.errors import NotFound
from apps.moderation import services as queue
from apps.textmodels import selectors, services
from apps.textmodels.groups import canonical

GROUP = OpenApiParameter("name", str, required=True, description="The group's name; may contain '/'")
READ_ERRORS = {404: ErrorSerializer, 422: ErrorSerializer}


def _no_members(group: str) -> NotFound:
    return NotFound(f"No models found in group '{group}'")


class GroupsApi(TextApi):
    @extend_schema(summary="Every text model group", tags=TAGS, responses=shapes.GroupListSerializer)
    def get(self, request):
        return Response(shapes.GroupListSerializer({"groups": selectors.group_names()}).data)


class GroupApi(TextApi):
    @extend_schema(
        summary="A group's members with their parsed names, what they share, sizes and naming",
        tags=TAGS,
        parameters=[GROUP],
        responses={200: shapes.GroupSerializer, **READ_ERRORS},
    )
    def get(self, request):
        group = required_query(request, "name")
        view = selectors.group_view(group, stores=self.stores)
        if view is None:
            raise _no_members(group)
        return Response(shapes.GroupSerializer(view).data)


class GroupsSummaryApi(TextApi):
    @extend_schema(
        summary="Every group with its counts, family, aliases, sizes and health",
        tags=TAGS,
        responses=shapes.GroupsSummarySerializer,
    )
    def get(self, request):
        return Response(shapes.GroupsSummarySerializer(selectors.groups_overview(stores=self.stores)).data)


class GroupsHealthApi(TextApi):
    @extend_schema(summary="Problems of every group", tags=TAGS, responses=shapes.HealthSerializer)
    def get(self, request):
        return Response(shapes.HealthSerializer(selectors.groups_health()).data)


class CommonFieldsApi(TextApi):
    http_method_names = ["put", "options"]

    def write_inputs(self, request, method, kwargs):
        return collected(
            lambda: required_query(request, "name"), lambda: body_of(request, CommonFieldsUpdateRequest)
        )

    @extend_schema(
        summary="Propose fields for every member of a group (one pending change each, one batch)",
        tags=TAGS,
        parameters=[GROUP],
        request=CommonFieldsUpdateRequest,
        responses={202: shapes.BatchUpdateSerializer, **WRITE_ERRORS},
    )
    def put(self, request):
        group, body = self.inputs
        proposed = queue.group_common_fields_propose(
            group=group, fields=body.model_dump(exclude_none=True), actor=self.actor()
        )
        return Response(shapes.BatchUpdateSerializer(proposed).data, status=202)


class NameSchemaApi(TextApi):
    http_method_names = ["get", "put", "delete", "head", "options"]

    def write_inputs(self, request, method, kwargs):
        name = lambda: stored_name(required_query(request, "name"), ["query", "name"])  # noqa: E731
        if method == "put":
            return collected(name, lambda: body_of(request, GroupNameSchemaUpdateRequest))
        return collected(name)

    @extend_schema(
        summary="A group's naming schema: the stored one, else the one its names follow",
        tags=TAGS,
        parameters=[GROUP],
        responses={200: shapes.GroupNameSchemaSerializer, **READ_ERRORS},
    )
    def get(self, request):
        group = required_query(request, "name")
        schema = selectors.name_schema(group) if self.stores else None
        if schema is not None:
            return self._answer(group, schema, custom=True)
        members = canonical(selectors.group_members(group))
        if not members:
            raise _no_members(group)
        inferred = infer_name_format([name for name, _ in members])
        schema = {**inferred.summary(), "extra_parts": []}  # upstream drops the inferred extras here
        return self._answer(group, schema, custom=False)

    @extend_schema(
        summary="Store a naming schema for a group (the fields given, over the current one)",
        tags=TAGS,
        parameters=[GROUP],
        request=GroupNameSchemaUpdateRequest,
        responses={200: shapes.GroupNameSchemaSerializer, **WRITE_ERRORS},
    )
    def put(self, request):
        group, body = self.inputs
        self.require_store("schema")
        merged = services.name_schema_set(
            group=group, changes=body.model_dump(exclude_none=True), actor=self.actor()
        )
        return self._answer(group, merged, custom=True)

    @extend_schema(
        summary="Delete a group's stored naming schema (back to the inferred one)",
        tags=TAGS,
        parameters=[GROUP],
        responses={204: None, **WRITE_ERRORS},
    )
    def delete(self, request):
        (group,) = self.inputs
        self.require_store("schema")
        services.name_schema_delete(group=group, actor=self.actor())
        return Response(status=204)

    def _answer(self, group: str, schema: dict, *, custom: bool) -> Response:
        body = {"group_name": group, "name_schema": schema, "is_custom": custom}
        return Response(shapes.GroupNameSchemaSerializer(body).data)


class NameExceptionApi(TextApi):
    http_method_names = ["put", "options"]

    def write_inputs(self, request, method, kwargs):
        return body_of(request, NameExceptionRequest)

    @extend_schema(
        summary="Propose that a model keeps its name against its group's schema (null: clear it)",
        tags=TAGS,
        request=NameExceptionRequest,
        responses={202: shapes.PendingChangeIdSerializer, **WRITE_ERRORS},
    )
    def put(self, request, model_name: str):
        change = queue.name_exception_propose(name=model_name, reason=self.inputs.reason, actor=self.actor())
        return Response(shapes.PendingChangeIdSerializer(change).data, status=202)

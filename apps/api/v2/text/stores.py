"""Aliases and families (PRIMARY only: a REPLICA answers 503, as upstream) and family detection.

Written directly (they change no record), each write audited by apps/textmodels/services.py.
Canonical and family names in the path may contain "/" (upstream's cannot); the `/add` and
`/remove` routes are matched first, so an entry literally named `x/add` is read with GET only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from drf_spectacular.utils import OpenApiParameter, extend_schema
from pydantic import BaseModel
from rest_framework import serializers
from rest_framework.response import Response

from apps.api.params import query_int
from apps.api.schema import Operation
from apps.api.serializers import WRITE_ERRORS, ErrorSerializer
from apps.api.v2.text import serializers as shapes
from apps.api.v2.text.base import TAGS, TextApi, collected, stored_name
from apps.api.v2.text.bodies import (
    AliasRequest,
    FamilyMemberRequest,
    SetAliasesRequest,
    SetFamilyRequest,
    body_of,
)
from apps.core.errors import NotFound
from apps.textmodels import selectors, services

STORE_ERRORS = {404: ErrorSerializer, 503: ErrorSerializer}


def _path_and_body(request, kwargs: dict, key: str, model):
    parsers = [lambda: stored_name(kwargs[key], ["path", key])]
    if model is not None:
        parsers.append(lambda: body_of(request, model))
    return collected(*parsers)


# --- aliases ------------------------------------------------------------------------------------


class AliasesApi(TextApi):
    @extend_schema(
        summary="Every alias entry", tags=TAGS, responses={200: shapes.AliasListSerializer, **STORE_ERRORS}
    )
    def get(self, request):
        self.require_store("alias")
        return Response(shapes.AliasListSerializer({"entries": selectors.alias_entries()}).data)


class AliasApi(TextApi):
    http_method_names = ["get", "put", "delete", "head", "options"]

    def write_inputs(self, request, method, kwargs):
        return _path_and_body(request, kwargs, "canonical", SetAliasesRequest if method == "put" else None)

    @extend_schema(
        summary="A canonical group's aliases",
        tags=TAGS,
        responses={200: shapes.AliasEntrySerializer, **STORE_ERRORS},
    )
    def get(self, request, canonical: str):
        self.require_store("alias")
        entry = selectors.alias_entry(canonical)
        if entry is None:
            raise NotFound(f"No alias entry for canonical group '{canonical}'")
        return Response(shapes.AliasEntrySerializer(entry).data)

    @extend_schema(
        summary="Replace a canonical group's aliases",
        tags=TAGS,
        request=SetAliasesRequest,
        responses={200: shapes.AliasEntrySerializer, **WRITE_ERRORS},
    )
    def put(self, request, canonical: str):
        _, body = self.inputs
        self.require_store("alias")
        entry = services.alias_entry_set(canonical=canonical, aliases=body.aliases, actor=self.actor())
        return Response(shapes.AliasEntrySerializer(entry).data)

    @extend_schema(
        summary="Delete a canonical group's alias entry", tags=TAGS, responses={204: None, **WRITE_ERRORS}
    )
    def delete(self, request, canonical: str):
        self.require_store("alias")
        services.alias_entry_delete(canonical=canonical, actor=self.actor())
        return Response(status=204)


# --- families -----------------------------------------------------------------------------------


class FamiliesApi(TextApi):
    @extend_schema(
        summary="Every family", tags=TAGS, responses={200: shapes.FamilyListSerializer, **STORE_ERRORS}
    )
    def get(self, request):
        self.require_store("family")
        return Response(shapes.FamilyListSerializer({"families": selectors.families()}).data)


class FamiliesDetectApi(TextApi):
    @extend_schema(
        summary="Family suggestions from the groups' shared name prefixes (not stored)",
        tags=TAGS,
        parameters=[
            OpenApiParameter("min_prefix_length", int, description="2-20, default 3"),
            OpenApiParameter("min_family_size", int, description="2-50, default 2"),
        ],
        responses={200: shapes.FamilySuggestionsSerializer, 422: ErrorSerializer},
    )
    def get(self, request):
        prefix, size = collected(
            lambda: query_int(request, "min_prefix_length", 3, ge=2, le=20),
            lambda: query_int(request, "min_family_size", 2, ge=2, le=50),
        )
        found = selectors.families_detect(stores=self.stores, min_prefix_length=prefix, min_family_size=size)
        return Response(shapes.FamilySuggestionsSerializer(found).data)


class FamilyApi(TextApi):
    http_method_names = ["get", "put", "delete", "head", "options"]

    def write_inputs(self, request, method, kwargs):
        return _path_and_body(request, kwargs, "family_name", SetFamilyRequest if method == "put" else None)

    @extend_schema(summary="A family", tags=TAGS, responses={200: shapes.FamilySerializer, **STORE_ERRORS})
    def get(self, request, family_name: str):
        self.require_store("family")
        family = selectors.family_get(family_name)
        if family is None:
            raise NotFound(f"Family '{family_name}' not found")
        return Response(shapes.FamilySerializer(family).data)

    @extend_schema(
        summary="Create or replace a family (a group belongs to one family at most)",
        tags=TAGS,
        request=SetFamilyRequest,
        responses={200: shapes.FamilySerializer, **WRITE_ERRORS},
    )
    def put(self, request, family_name: str):
        _, body = self.inputs
        self.require_store("family")
        family = services.family_set(name=family_name, members=body.members, actor=self.actor())
        return Response(shapes.FamilySerializer(family).data)

    @extend_schema(summary="Delete a family", tags=TAGS, responses={204: None, **WRITE_ERRORS})
    def delete(self, request, family_name: str):
        self.require_store("family")
        services.family_delete(name=family_name, actor=self.actor())
        return Response(status=204)


# --- one member in or out: an alias of an entry, a group of a family ------------------------------


@dataclass(frozen=True)
class MemberEdit:
    kind: str  # the store, for its 503 on a REPLICA
    key: str  # the path's name
    body: type[BaseModel]
    write: Callable  # (name in the path, body, actor) -> the entry after the change
    shape: type[serializers.Serializer]
    summary: str


MEMBER_EDITS = {
    "alias_add": MemberEdit(
        "alias",
        "canonical",
        AliasRequest,
        lambda name, body, actor: services.alias_add(canonical=name, alias=body.alias, actor=actor),
        shapes.AliasEntrySerializer,
        "Add an alias to a canonical group",
    ),
    "alias_remove": MemberEdit(
        "alias",
        "canonical",
        AliasRequest,
        lambda name, body, actor: services.alias_remove(canonical=name, alias=body.alias, actor=actor),
        shapes.AliasEntrySerializer,
        "Remove an alias from a canonical group",
    ),
    "family_add": MemberEdit(
        "family",
        "family_name",
        FamilyMemberRequest,
        lambda name, body, actor: services.family_member_add(name=name, group=body.group_name, actor=actor),
        shapes.FamilySerializer,
        "Add a group to a family",
    ),
    "family_remove": MemberEdit(
        "family",
        "family_name",
        FamilyMemberRequest,
        lambda name, body, actor: services.family_member_remove(
            name=name, group=body.group_name, actor=actor
        ),
        shapes.FamilySerializer,
        "Remove a group from a family",
    ),
}


class StoreMemberApi(TextApi):
    """`POST aliases/{canonical}/add|remove`, `POST families/{family_name}/add|remove`: one view,
    mounted per route with `as_view(edit=...)` (a key of MEMBER_EDITS)."""

    http_method_names = ["post", "options"]
    edit = ""

    def write_inputs(self, request, method, kwargs):
        edit = MEMBER_EDITS[self.edit]
        return _path_and_body(request, kwargs, edit.key, edit.body)

    def post(self, request, **kwargs):
        edit = MEMBER_EDITS[self.edit]
        _, body = self.inputs
        self.require_store(edit.kind)
        return Response(edit.shape(edit.write(kwargs[edit.key], body, self.actor())).data)

    def openapi_operation(self, method: str) -> Operation:
        edit = MEMBER_EDITS[self.edit]
        return Operation(
            operation_id=f"v2_text_utils_{self.edit}_{method}",
            summary=edit.summary,
            request=edit.body,
            responses={200: edit.shape, **WRITE_ERRORS},
            tags=TAGS,
        )

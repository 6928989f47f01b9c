"""Aliases and families (PRIMARY only: a REPLICA answers 503, as upstream) and family detection.

Written directly (they change no record), each write audited by apps/textmodels/services.py.
Canonical and family names in the path may contain "/" (upstream's cannot); the `/add` and
`/remove` routes are matched first, so an entry literally named `x/add` is read with GET only.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from apps.api.params import query_int
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


class AliasAddApi(TextApi):
    http_method_names = ["post", "options"]

    def write_inputs(self, request, method, kwargs):
        return _path_and_body(request, kwargs, "canonical", AliasRequest)

    @extend_schema(
        summary="Add an alias to a canonical group",
        tags=TAGS,
        request=AliasRequest,
        responses={200: shapes.AliasEntrySerializer, **WRITE_ERRORS},
    )
    def post(self, request, canonical: str):
        _, body = self.inputs
        self.require_store("alias")
        entry = services.alias_add(canonical=canonical, alias=body.alias, actor=self.actor())
        return Response(shapes.AliasEntrySerializer(entry).data)


class AliasRemoveApi(AliasAddApi):
    @extend_schema(
        summary="Remove an alias from a canonical group",
        tags=TAGS,
        request=AliasRequest,
        responses={200: shapes.AliasEntrySerializer, **WRITE_ERRORS},
    )
    def post(self, request, canonical: str):
        _, body = self.inputs
        self.require_store("alias")
        entry = services.alias_remove(canonical=canonical, alias=body.alias, actor=self.actor())
        return Response(shapes.AliasEntrySerializer(entry).data)


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


class FamilyAddApi(TextApi):
    http_method_names = ["post", "options"]

    def write_inputs(self, request, method, kwargs):
        return _path_and_body(request, kwargs, "family_name", FamilyMemberRequest)

    @extend_schema(
        summary="Add a group to a family",
        tags=TAGS,
        request=FamilyMemberRequest,
        responses={200: shapes.FamilySerializer, **WRITE_ERRORS},
    )
    def post(self, request, family_name: str):
        _, body = self.inputs
        self.require_store("family")
        family = services.family_member_add(name=family_name, group=body.group_name, actor=self.actor())
        return Response(shapes.FamilySerializer(family).data)


class FamilyRemoveApi(FamilyAddApi):
    @extend_schema(
        summary="Remove a group from a family",
        tags=TAGS,
        request=FamilyMemberRequest,
        responses={200: shapes.FamilySerializer, **WRITE_ERRORS},
    )
    def post(self, request, family_name: str):
        _, body = self.inputs
        self.require_store("family")
        family = services.family_member_remove(name=family_name, group=body.group_name, actor=self.actor())
        return Response(shapes.FamilySerializer(family).data)

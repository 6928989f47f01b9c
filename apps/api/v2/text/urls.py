"""The text routes under `…/v2/`; apps/api/v2/urls.py mounts `text_urls()` above the generic
`/{category}` routes and `name_exception_urls()` below the per-category record routes (so that
`text_generation/model/…` stays a record's address)."""

from django.urls import path

from apps.api.v2.text import groups, names, stores

T = "text_generation"


def _member(edit: str):
    return stores.StoreMemberApi.as_view(edit=edit)


def text_urls() -> list:
    return [
        path(f"{T}/parse_name", names.ParseNameApi.as_view(), name="v2-text-parse-name"),
        path(f"{T}/compose_name", names.ComposeNameApi.as_view(), name="v2-text-compose-name"),
        path(f"{T}/distinct_baselines", names.DistinctBaselinesApi.as_view(), name="v2-text-baselines"),
        path(f"{T}/groups", groups.GroupsApi.as_view(), name="v2-text-groups"),
        path(f"{T}/groups/summary", groups.GroupsSummaryApi.as_view(), name="v2-text-groups-summary"),
        path(f"{T}/groups/health", groups.GroupsHealthApi.as_view(), name="v2-text-groups-health"),
        path(f"{T}/group", groups.GroupApi.as_view(), name="v2-text-group"),
        path(f"{T}/group/common_fields", groups.CommonFieldsApi.as_view(), name="v2-text-common-fields"),
        path(f"{T}/group/name_schema", groups.NameSchemaApi.as_view(), name="v2-text-name-schema"),
        path(f"{T}/aliases", stores.AliasesApi.as_view(), name="v2-text-aliases"),
        path(f"{T}/aliases/<path:canonical>/add", _member("alias_add"), name="v2-text-alias-add"),
        path(f"{T}/aliases/<path:canonical>/remove", _member("alias_remove"), name="v2-text-alias-remove"),
        path(f"{T}/aliases/<path:canonical>", stores.AliasApi.as_view(), name="v2-text-alias"),
        path(f"{T}/families", stores.FamiliesApi.as_view(), name="v2-text-families"),
        path(f"{T}/families/detect", stores.FamiliesDetectApi.as_view(), name="v2-text-families-detect"),
        path(f"{T}/families/<path:family_name>/add", _member("family_add"), name="v2-text-family-add"),
        path(
            f"{T}/families/<path:family_name>/remove", _member("family_remove"), name="v2-text-family-remove"
        ),
        path(f"{T}/families/<path:family_name>", stores.FamilyApi.as_view(), name="v2-text-family"),
    ]


def name_exception_urls() -> list:
    return [
        path(
            f"{T}/<path:model_name>/name_exception",
            groups.NameExceptionApi.as_view(),
            name="v2-text-name-exception",
        )
    ]

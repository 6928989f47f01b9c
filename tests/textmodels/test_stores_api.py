"""Aliases, families and naming schemas through the API: round trips (names with "/" too), the
audit trail, roles, bad bodies, REPLICA; and family detection against upstream's answers."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from apps.audit.models import AuditEvent
from tests.fake_horde import REQUESTOR
from tests.textmodels import realdata
from tests.textmodels.conftest import T
from tests.textmodels.test_text_names import EXCEPTED_KEYS
from tests.textmodels.test_text_names import UPSTREAM as UPSTREAM_NAMES

SESSION = json.loads((Path(__file__).parent / "upstream" / "text_utils.json").read_text())["session"]
REPLICA = {
    "detail": "This instance is in REPLICA mode and does not support write operations. "
    "Only PRIMARY instances can modify data."
}


def events(category: str) -> list[tuple[str, str, dict]]:
    return [
        (e.operation, e.model_name, e.payload, e.actor_name)
        for e in AuditEvent.objects.filter(category=category).order_by("id")
    ]


def test_aliases_round_trip_with_slashes_and_each_write_is_audited(catalog, requestor, client):
    canonical = "org/Big-Model"
    path = f"{T}/aliases/{canonical}"
    assert client.get(path).json() == {"detail": f"No alias entry for canonical group '{canonical}'"}
    put = requestor.put(path, {"aliases": ["org/Big-Model-2", "Big-Model-v2", "org/Big-Model-2"]})
    assert (put.status_code, put.json()) == (
        200,
        {"canonical": canonical, "aliases": ["org/Big-Model-2", "Big-Model-v2"]},
    )
    added = requestor.post(f"{path}/add", {"alias": "big-model"}).json()
    assert added == {"canonical": canonical, "aliases": ["org/Big-Model-2", "Big-Model-v2", "big-model"]}
    assert requestor.post(f"{path}/add", {"alias": "big-model"}).json() == added  # no-op
    removed = requestor.post(f"{path}/remove", {"alias": "org/Big-Model-2"}).json()
    assert removed == {"canonical": canonical, "aliases": ["Big-Model-v2", "big-model"]}
    assert client.get(f"{T}/aliases").json() == {"entries": [removed]}
    assert client.get(path.replace("/Big", "%2FBig")).json() == removed  # an encoded "/" is the same name
    delete = requestor.delete(path)
    assert (delete.status_code, delete.content) == (204, b"")
    assert client.get(f"{T}/aliases").json() == {"entries": []}

    entry = {"canonical": canonical}
    assert events("text_group_aliases") == [
        (
            "create",
            canonical,
            {"after": {**entry, "aliases": ["org/Big-Model-2", "Big-Model-v2"]}},
            REQUESTOR.username,
        ),
        (
            "update",
            canonical,
            {
                "before": {**entry, "aliases": ["org/Big-Model-2", "Big-Model-v2"]},
                "after": {**entry, "aliases": ["org/Big-Model-2", "Big-Model-v2", "big-model"]},
                "delta": {
                    "aliases": {
                        "old": ["org/Big-Model-2", "Big-Model-v2"],
                        "new": ["org/Big-Model-2", "Big-Model-v2", "big-model"],
                    }
                },
            },
            REQUESTOR.username,
        ),
        (
            "update",
            canonical,
            {
                "before": {**entry, "aliases": ["org/Big-Model-2", "Big-Model-v2", "big-model"]},
                "after": {**entry, "aliases": ["Big-Model-v2", "big-model"]},
                "delta": {
                    "aliases": {
                        "old": ["org/Big-Model-2", "Big-Model-v2", "big-model"],
                        "new": ["Big-Model-v2", "big-model"],
                    }
                },
            },
            REQUESTOR.username,
        ),
        (
            "delete",
            canonical,
            {"before": {**entry, "aliases": ["Big-Model-v2", "big-model"]}},
            REQUESTOR.username,
        ),
    ]
    # The store's events are no record events: the trail still rebuilds the catalog exactly.
    out = StringIO()
    call_command("audit_replay", "--verify", stdout=out)
    assert "No difference" in out.getvalue()


def test_families_round_trip_and_a_group_is_in_one_family_at_most(catalog, requestor, client):
    path = f"{T}/families/Mistral/Large"
    put = requestor.put(path, {"members": ["Mistral-Small", "Mistral-Large", "Mistral-Large"]})
    assert put.json() == {"family_name": "Mistral/Large", "members": ["Mistral-Large", "Mistral-Small"]}
    taken = requestor.put(f"{T}/families/Other", {"members": ["Mistral-Small"]})
    assert (taken.status_code, taken.json()) == (
        409,
        {
            "detail": "Group 'Mistral-Small' already belongs to family 'Mistral/Large'. Remove it from that family first."
        },
    )
    assert requestor.post(f"{T}/families/Other/add", {"group_name": "x"}).json() == {
        "detail": "Family 'Other' does not exist."
    }
    added = requestor.post(f"{path}/add", {"group_name": "Ministral-3"}).json()
    assert added["members"] == ["Ministral-3", "Mistral-Large", "Mistral-Small"]
    # Replacing the members releases the ones left out.
    requestor.put(path, {"members": ["Mistral-Large"]})
    assert requestor.put(f"{T}/families/Other", {"members": ["Mistral-Small"]}).status_code == 200
    assert client.get(f"{T}/families").json() == {
        "families": [
            {"family_name": "Mistral/Large", "members": ["Mistral-Large"]},
            {"family_name": "Other", "members": ["Mistral-Small"]},
        ]
    }
    last = requestor.post(f"{path}/remove", {"group_name": "Mistral-Large"})
    assert last.json() == {"family_name": "Mistral/Large", "members": []}
    assert client.get(path).json() == {"detail": "Family 'Mistral/Large' not found"}
    empty = requestor.put(path, {"members": []})
    assert (empty.status_code, empty.json()) == (
        422,
        {"detail": "A family must have at least one member group."},
    )
    assert [(op, name) for op, name, _, _ in events("text_group_families")] == [
        ("create", "Mistral/Large"),
        ("update", "Mistral/Large"),
        ("update", "Mistral/Large"),
        ("create", "Other"),
        ("delete", "Mistral/Large"),
    ]


def test_naming_schemas_merge_onto_the_stored_one_and_delete_back_to_the_inferred_one(
    catalog, requestor, client
):
    path = f"{T}/group/name_schema?name=magnum"
    inferred = client.get(path).json()
    first = requestor.put(path, {"separator": "_", "extra_parts": ["date"]}).json()
    assert first == {
        "group_name": "magnum",
        "name_schema": {
            "separator": "_",
            "part_order": ["base", "size", "variant", "version", "quant"],
            "author_included": True,
            "common_author": None,
            "template": None,
            "extra_parts": ["date"],
        },
        "is_custom": True,
    }
    second = requestor.put(path, {"template": "{author}/{base}_{size}", "separator": None}).json()
    assert second["name_schema"] == {**first["name_schema"], "template": "{author}/{base}_{size}"}
    assert client.get(path).json() == second
    assert requestor.delete(path).status_code == 204
    assert client.get(path).json() == inferred
    assert requestor.delete(path).json() == {"detail": "No custom naming schema found for group 'magnum'"}
    assert [
        (op, payload.get("after", {}).get("separator")) for op, _, payload, _ in events("text_group_schemas")
    ] == [
        ("create", "_"),
        ("update", "_"),
        ("delete", None),
    ]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("put", "aliases/a", {"aliases": ["b"]}),
        ("post", "aliases/a/add", {"alias": "b"}),
        ("post", "aliases/a/remove", {"alias": "b"}),
        ("delete", "aliases/a", None),
        ("put", "families/f", {"members": ["g"]}),
        ("post", "families/f/add", {"group_name": "g"}),
        ("post", "families/f/remove", {"group_name": "g"}),
        ("delete", "families/f", None),
        ("put", "group/name_schema?name=magnum", {"separator": "_"}),
        ("delete", "group/name_schema?name=magnum", None),
        ("put", "group/common_fields?name=magnum", {"style": "x"}),
        ("put", "anthracite-org/magnum-v4-9b/name_exception", {"reason": "x"}),
    ],
)
def test_every_write_needs_a_requestor_on_a_primary(
    catalog, anonymous, reader, requestor, settings, method, path, body
):
    def call(who):
        url = f"{T}/{path}"
        response = who.delete(url) if method == "delete" else getattr(who, method)(url, body)
        return response.status_code, response.json()

    assert call(anonymous) == (401, {"detail": "Not authenticated"})
    assert call(reader) == (403, {"detail": "You are not on the pending queue requestor list."})
    settings.HMR_REPLICATE_MODE = "REPLICA"
    assert call(requestor) == (503, REPLICA)
    assert AuditEvent.objects.exclude(category="text_generation").exclude(origin="import").count() == 0


@pytest.mark.parametrize(
    ("method", "path", "body", "errors"),
    [
        ("put", "aliases/a", {"aliases": "b"}, [("list_type", ["body", "aliases"])]),
        ("put", "aliases/a", {"aliases": [""]}, [("string_too_short", ["body", "aliases", 0])]),
        ("post", "aliases/a/add", {}, [("missing", ["body", "alias"])]),
        ("put", f"aliases/{'x' * 256}", {"aliases": []}, [("string_too_long", ["path", "canonical"])]),
        ("put", "families/f", {"members": [1]}, [("string_type", ["body", "members", 0])]),
        ("post", "families/f/add", [], [("model_attributes_type", ["body"])]),
        (
            "put",
            "group/name_schema?name=magnum",
            {"part_order": "base"},
            [("list_type", ["body", "part_order"])],
        ),
        ("put", "group/name_schema", {}, [("missing", ["query", "name"])]),
        ("put", "anthracite-org/magnum-v4-9b/name_exception", {}, [("missing", ["body", "reason"])]),
    ],
)
def test_bad_input_is_a_422_before_the_role_is_checked(catalog, reader, method, path, body, errors):
    response = getattr(reader, method)(f"{T}/{path}", body)
    assert response.status_code == 422
    assert [(e["type"], e["loc"]) for e in response.json()["detail"]] == errors


def test_a_missing_body_is_a_422(catalog, requestor):
    response = requestor.client.put(
        f"{T}/aliases/a", "", content_type="application/json", **requestor.headers
    )
    assert response.json() == {
        "detail": [{"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}]
    }


def test_on_a_replica_the_store_reads_answer_503_and_detection_still_works(catalog, client, settings):
    settings.HMR_REPLICATE_MODE = "REPLICA"
    for path, kind in (
        ("aliases", "alias"),
        ("aliases/x", "alias"),
        ("families", "family"),
        ("families/x", "family"),
    ):
        response = client.get(f"{T}/{path}")
        assert (response.status_code, response.json()) == (
            503,
            {"detail": f"Group {kind} storage is not available (backend may be in REPLICA mode)."},
        ), path
    assert client.get(f"{T}/families/detect").status_code == 200


def renamed(upstream_group: str) -> str:
    """The group HMR puts upstream's group in (only the excepted records move)."""
    moved = {UPSTREAM_NAMES[k][2]: realdata.group_of(k) for k in EXCEPTED_KEYS}
    return moved.get(upstream_group, upstream_group)


@pytest.mark.parametrize("label", ["families detect", "families detect params"])
def test_family_detection_is_upstreams_over_the_corrected_groups(catalog, client, label):
    step = next(s for s in SESSION if s["label"] == label)
    body = client.get(f"{T}/families/detect", step["request"]["params"] or {}).json()
    suggestions = [
        {"family_name": s["family_name"], "members": sorted({renamed(m) for m in s["members"]})}
        for s in step["body"]["suggestions"]
    ]
    in_families = sum(len(s["members"]) for s in suggestions)
    groups = len(realdata.groups())
    assert body == {
        "suggestions": suggestions,
        "total_groups_analyzed": groups,
        "groups_in_families": in_families,
        "standalone_groups": groups - in_families,
    }


def test_detection_takes_bounded_parameters(catalog, client):
    response = client.get(f"{T}/families/detect", {"min_prefix_length": 1, "min_family_size": 51})
    assert response.json() == {
        "detail": [
            {
                "type": "greater_than_equal",
                "loc": ["query", "min_prefix_length"],
                "msg": "Input should be greater than or equal to 2",
                "input": "1",
                "ctx": {"ge": 2},
            },
            {
                "type": "less_than_equal",
                "loc": ["query", "min_family_size"],
                "msg": "Input should be less than or equal to 50",
                "input": "51",
                "ctx": {"le": 50},
            },
        ]
    }

"""Upstream's recorded session of text-route requests, replayed against HMR on the real data.

`upstream/text_utils.json` holds 100 requests (in order: they build on each other, e.g. an alias
is put, then conflicts with the next one) and upstream's status and body for each (see
upstream/extract_examples.py for how they were recorded). HMR must answer each the same, except
for the deliberate differences listed in DEVIATIONS (each adjusts upstream's answer to what HMR
answers and says why) and the ids HMR's own queue gives (checked against the queue instead).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

from apps.catalog.formats.text_names import text_model_group
from apps.moderation.models import PendingChange
from tests.fake_horde import APPROVER, READER, REQUESTOR
from tests.textmodels.test_text_names import EXCEPTED_KEYS
from tests.textmodels.test_text_names import UPSTREAM as UPSTREAM_NAMES

SESSION = json.loads((Path(__file__).parent / "upstream" / "text_utils.json").read_text())["session"]
KEYS = {"requestor-key": REQUESTOR.apikey, "approver-key": APPROVER.apikey, "reader-key": READER.apikey}


def date_positions(body):
    """HMR counts a date's separators in the name as given (test_text_names.py)."""
    for member in body.get("members", []):
        name = member["name"].split("/", 1)[-1]
        for extra in member["parsed"]["extras"]:
            if extra["inferred_type"] == "DATE":
                extra["position"] = sum(c in "-_ ." for c in name[: name.rindex(extra["value"])])
    return body


def moved_groups() -> tuple[set[str], set[str]]:
    """Upstream's groups that HMR's parser corrections empty, and the groups HMR puts them in."""
    upstream_of_excepted = {UPSTREAM_NAMES[k][2] for k in EXCEPTED_KEYS}
    still_held = {g for k, (_, _, g) in UPSTREAM_NAMES.items() if k not in EXCEPTED_KEYS}
    return upstream_of_excepted - still_held, {text_model_group(k) for k in EXCEPTED_KEYS}


def groups_list(body):
    gone, ours = moved_groups()
    return {"groups": sorted((set(body["groups"]) - gone) | ours)}


# label -> (how upstream's answer becomes HMR's, why)
DEVIATIONS = {
    "parse_name 'mistralai/Mixtral-8x22B-Instruct-v0.1'": (
        lambda b: {**b, "base_name": "mistralai/Mixtral", "size": "8X22B", "suggested_group": "Mixtral"},
        "the MoE size 8x22B (test_text_names.EXCEPTIONS)",
    ),
    "compose_name part_order without base": (
        lambda b: {**b, "suggested_group": "12b_Q4_K_M"},
        "`Q4_K_M` after `_` is the quant (upstream misses it); with nothing left the group is the name",
    ),
    "groups": (groups_list, "the parser's corrections move 9 records (test_text_names.EXCEPTIONS)"),
    "group Mistral-Large": (date_positions, "date positions"),
    "group with family": (date_positions, "date positions"),
    "family put empty": (
        lambda b: (422, b),
        "an empty family is invalid input: 422 (upstream maps every ValueError to 409)",
    ),
    "family add missing family": (
        lambda b: {"detail": "Family 'Nope' does not exist."},
        "upstream puts str(KeyError) in the detail, quotes and all",
    ),
    "family add conflict": (
        lambda b: {"detail": "Family 'Qwen' does not exist."},
        "the same",
    ),
    "alias slash canonical": (
        lambda b: {"detail": "No alias entry for canonical group 'org/name'"},
        "names with '/' work in every path (upstream: 404 Not Found for the path)",
    ),
}
# Overviews: the kept groups' entries and the counts the corrections leave alone are compared
# here; the other counts in test_groups_api.py.
OVERVIEWS = {
    "groups/summary": ("groups", ("total_models", "groups_with_families", "groups_with_aliases")),
    "groups/summary with alias": ("groups", ("total_models", "groups_with_families", "groups_with_aliases")),
    "groups/health": ("issues", ()),
}
# Compared by their own tests (the corrections change names in them, or HMR's shape differs).
OWN_TESTS = {
    "families detect": "test_stores_api.py",
    "families detect params": "test_stores_api.py",
    "family named detect": "test_stores_api.py",
    "pending change from common_fields": "test_common_fields.py (HMR's queue record differs)",
}


def overview_part(label: str, ours: dict, upstream: dict) -> dict:
    """Our overview cut to what upstream's trimmed one holds (its kept groups, the counts kept)."""
    entries, counts = OVERVIEWS[label]
    kept = {e["group_name"] for e in upstream[entries]}
    cut = {key: ours[key] if key in counts or key == entries else upstream[key] for key in upstream}
    cut[entries] = [e for e in ours[entries] if e["group_name"] in kept]
    return cut


def request(client, step):
    req = step["request"]
    headers = {"HTTP_APIKEY": KEYS.get(req["apikey"], req["apikey"])} if req["apikey"] else {}
    path = req["path"] + ("?" + urlencode(req["params"]) if req["params"] else "")
    body = json.dumps(req["json"]) if req["json"] is not None else ""
    return getattr(client, req["method"].lower())(path, body, content_type="application/json", **headers)


def queued_ids(label: str, body: dict) -> dict:
    """Upstream's queue ids replaced by those HMR's queue gave, checked against the queue."""
    if label == "common_fields ok":
        batch = int(body["batch_id"])
        ids = list(PendingChange.objects.filter(batch_id=batch).order_by("id").values_list("id", flat=True))
        assert body["pending_change_ids"] == ids
        return {"batch_id": str(batch), "pending_change_ids": ids}
    change = PendingChange.objects.get(pk=body["pending_change_id"])
    assert change.request_metadata == {"route": "set_name_exception"}
    return {"pending_change_id": change.pk}


def test_upstreams_session_gets_upstreams_answers(catalog, client, horde, grants):
    mismatches = []
    for step in SESSION:
        label = step["label"]
        response = request(client, step)
        body = response.json() if response.content else ""
        if label in OWN_TESTS:
            assert response.status_code == step["status"], label
            continue
        if label in OVERVIEWS:
            body = overview_part(label, body, step["body"])
        status, expected = step["status"], step["body"]
        if label in DEVIATIONS:
            adjusted = DEVIATIONS[label][0](expected)
            status, expected = adjusted if isinstance(adjusted, tuple) else (status, adjusted)
        if label == "common_fields ok" or (label.startswith("name_exception") and status == 202):
            expected = {**expected, **queued_ids(label, body)}
        if (response.status_code, body) != (status, expected):
            mismatches.append((label, status, expected, response.status_code, body))
    assert mismatches == []


def test_every_text_route_is_documented(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    t = "/api/model_references/v2/text_generation"
    operations = {
        "parse_name": {"get"},
        "compose_name": {"post"},
        "distinct_baselines": {"get"},
        "groups": {"get"},
        "group": {"get"},
        "groups/summary": {"get"},
        "groups/health": {"get"},
        "group/common_fields": {"put"},
        "group/name_schema": {"get", "put", "delete"},
        "{model_name}/name_exception": {"put"},
        "aliases": {"get"},
        "aliases/{canonical}": {"get", "put", "delete"},
        "aliases/{canonical}/add": {"post"},
        "aliases/{canonical}/remove": {"post"},
        "families": {"get"},
        "families/detect": {"get"},
        "families/{family_name}": {"get", "put", "delete"},
        "families/{family_name}/add": {"post"},
        "families/{family_name}/remove": {"post"},
    }
    assert {route: set(paths[f"{t}/{route}"]) for route in operations} == operations
    assert sum(len(methods) for methods in operations.values()) == 25  # upstream 8.6.2's operations
    put = paths[f"{t}/group/common_fields"]["put"]
    assert put["responses"]["202"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/BatchUpdateResponse"
    }
    assert "CommonFieldsUpdateRequest" in str(put["requestBody"])

"""The group reads on the real data, whole bodies derived from models.csv and upstream's name
parses (tests/textmodels/realdata.py): `group` for chosen groups, `groups/summary`,
`groups/health`, `distinct_baselines`, `groups`; and what a REPLICA answers without the stores.

(upstream's own answers for the same requests are compared in test_upstream_session.py.)
"""

from __future__ import annotations

import pytest

from tests.textmodels import realdata
from tests.textmodels.conftest import T

COMMON = ("baseline", "description", "url", "nsfw", "tags", "style", "instruct_format")


def distinct_with_null(values) -> list:
    return sorted(set(values), key=lambda v: v or "")


def usage(values) -> dict:
    counts: dict = {}
    for value in values:
        if value:
            counts[value] = counts.get(value, 0) + 1
    return counts


def expected_member(row: dict) -> dict:
    fields = realdata.record_fields(row)
    status = "legacy_label" if fields["instruct_format"] else "undocumented"
    return {
        "name": row["name"],
        "parsed": realdata.member_parts(row["name"]),
        **fields,
        "is_backend_duplicate": False,
        "backend_prefix": None,
        "guidance": {"status": status, "primary_profile_id": None, "supplemental_profile_ids": []},
    }


def expected_group(group: str, name_format: dict) -> dict:
    rows = realdata.group_rows(group)
    fields = [realdata.record_fields(r) for r in rows]
    parts = [realdata.member_parts(r["name"]) for r in rows]
    common = {}
    for key in COMMON:
        values = [f[key] for f in fields]
        if values[0] is not None and all(v == values[0] for v in values):
            common[key] = values[0]
    members = [expected_member(r) for r in rows]
    statuses = [m["guidance"]["status"] for m in members]
    return {
        "group_name": group,
        "members": members,
        "common_fields": common,
        "available_sizes": sorted({p["size"] for p in parts if p["size"]}, key=realdata.parameter_count),
        "available_variants": distinct_with_null(p["variant"] for p in parts),
        "available_quants": distinct_with_null(p["quant"] for p in parts),
        "available_versions": distinct_with_null(p["version"] for p in parts),
        "size_usage": usage(p["size"] for p in parts),
        "variant_usage": usage(p["variant"] for p in parts),
        "quant_usage": usage(p["quant"] for p in parts),
        "name_format": name_format,
        "canonical_count": len(rows),
        "backend_duplicate_count": 0,
        "name_schema_is_custom": False,
        "exception_members": [],
        "related_family": None,
        "guidance_coverage": {s: statuses.count(s) for s in ("published", "legacy_label", "undocumented")},
    }


def name_format(parts: list[str], author: str | None, extras=()) -> dict:
    return {
        "separator": "-",
        "part_order": parts,
        "author_included": True,
        "common_author": author,
        "template": "{author}/" + "-".join(f"{{{p}}}" for p in parts),
        "extra_parts": list(extras),
    }


@pytest.mark.parametrize(
    ("group", "formats"),
    [
        # 10 records of two authors, sizes 9B-123B, seven baselines: only nsfw is common.
        ("magnum", name_format(["base", "size", "version"], None)),
        # Llama 3.1: 8B Instruct is its own group (405B is `Llama-3.1`).
        ("Meta-Llama-3.1", name_format(["base", "size", "variant"], "meta-llama")),
        ("Llama-3.1", name_format(["base", "size", "variant"], "meta-llama")),
        # No size: a date is the only other part.
        ("c4ai-command-r-plus", name_format(["base", "extra:DATE"], "CohereForAI", ["DATE"])),
        # No size and no author.
        (
            "gpt2",
            {
                "separator": "-",
                "part_order": ["base"],
                "author_included": False,
                "common_author": None,
                "template": "{base}",
                "extra_parts": [],
            },
        ),
        # The corrected MoE size joins 8x22B to the 8x7B record.
        ("Mixtral", name_format(["base", "size", "variant", "version"], "mistralai")),
    ],
)
def test_a_group_page_is_its_csv_rows_with_their_parts(catalog, client, group, formats):
    response = client.get(f"{T}/group", {"name": group})
    assert response.status_code == 200
    assert response.json() == expected_group(group, formats)


def test_the_magnum_page_in_numbers(catalog, client):
    body = client.get(f"{T}/group", {"name": "magnum"}).json()
    assert (len(body["members"]), body["common_fields"]) == (10, {"nsfw": False})
    assert body["available_sizes"] == ["9B", "12B", "22B", "27B", "34B", "72B", "123B"]
    assert body["available_versions"] == ["v1", "v2", "v3", "v4"]
    assert body["guidance_coverage"] == {"published": 0, "legacy_label": 7, "undocumented": 3}


def test_unknown_group_and_missing_name(catalog, client):
    assert client.get(f"{T}/group", {"name": "no-such-group"}).json() == {
        "detail": "No models found in group 'no-such-group'"
    }
    assert client.get(f"{T}/group", {"name": "no-such-group"}).status_code == 404
    missing = client.get(f"{T}/group")
    assert (missing.status_code, missing.json()) == (
        422,
        {"detail": [{"type": "missing", "loc": ["query", "name"], "msg": "Field required", "input": None}]},
    )


def expected_issues(group: str) -> list[dict]:
    fields = [realdata.record_fields(r) for r in realdata.group_rows(group)]
    issues = []

    def issue(kind, message, severity="warning"):
        issues.append({"group_name": group, "issue_type": kind, "message": message, "severity": severity})

    if len(fields) == 1:
        issue("singleton_group", "Group currently contains one canonical model", "info")
    baselines = sorted({f["baseline"] for f in fields if f["baseline"]})
    if len(baselines) > 1:
        issue("inconsistent_baseline", f"Members have different baselines: {', '.join(baselines)}")
    if missing := sum(1 for f in fields if not f["baseline"]):
        issue("missing_baseline", f"{missing} member(s) missing baseline")
    if missing := sum(1 for f in fields if not f["description"]):
        issue("missing_description", f"{missing} member(s) missing description", "info")
    return issues


def test_groups_health_lists_every_groups_problems_in_upstreams_order(catalog, client):
    body = client.get(f"{T}/groups/health").json()
    issues = [i for g in realdata.groups() for i in expected_issues(g)]
    counts: dict = {}
    for i in issues:
        counts[i["issue_type"]] = counts.get(i["issue_type"], 0) + 1
    assert body == {
        "issues": issues,
        "total_groups_checked": len(realdata.groups()),
        "groups_with_issues": len({i["group_name"] for i in issues}),
        "issue_counts_by_type": counts,
    }
    # Upstream: 419 groups, 418 with issues, 312 singletons. The corrections put the 8x22B records
    # into Mixtral (two singletons fewer) and WizardLM-2 (one fewer).
    assert (body["total_groups_checked"], body["groups_with_issues"]) == (417, 416)
    assert counts["singleton_group"] == 309


def test_groups_summary_has_every_group_with_its_sizes_and_health(catalog, client):
    body = client.get(f"{T}/groups/summary").json()
    entries = []
    for group in realdata.groups():
        rows = realdata.group_rows(group)
        sizes = {realdata.member_parts(r["name"])["size"] for r in rows} - {None}
        entries.append(
            {
                "group_name": group,
                "canonical_count": len(rows),
                "backend_duplicate_count": 0,
                "has_custom_schema": False,
                "family_name": None,
                "alias_canonical": None,
                "aliases": [],
                "available_sizes": sorted(sizes, key=realdata.parameter_count),
                "health_issues": expected_issues(group),
            }
        )
    assert body == {
        "groups": entries,
        "total_groups": len(entries),
        "total_models": 719,
        "groups_with_families": 0,
        "groups_with_aliases": 0,
        "groups_with_issues": sum(1 for e in entries if e["health_issues"]),
    }


def test_groups_and_baselines(catalog, client):
    assert client.get(f"{T}/groups").json() == {"groups": realdata.groups()}
    baselines = sorted({r["baseline"].strip() for r in realdata.rows() if r["baseline"].strip()})
    assert client.get(f"{T}/distinct_baselines").json() == {"baselines": baselines}
    assert len(baselines) == 51


def test_stores_show_in_the_group_views_on_a_primary_and_not_on_a_replica(
    catalog, client, requestor, settings
):
    requestor.put(f"{T}/aliases/c4ai-command-r", {"aliases": ["c4ai-command-r-plus"]})
    requestor.put(f"{T}/families/Cohere", {"members": ["c4ai-command-r", "c4ai-command-r-plus"]})
    requestor.put(f"{T}/group/name_schema?name=c4ai-command-r", {"separator": "_"})

    summary = {g["group_name"]: g for g in client.get(f"{T}/groups/summary").json()["groups"]}
    assert {
        k: summary["c4ai-command-r"][k]
        for k in ("has_custom_schema", "family_name", "alias_canonical", "aliases")
    } == {
        "has_custom_schema": True,
        "family_name": "Cohere",
        "alias_canonical": None,
        "aliases": ["c4ai-command-r-plus"],
    }
    # The alias takes its canonical's schema; its family is its own.
    plus = summary["c4ai-command-r-plus"]
    assert (plus["has_custom_schema"], plus["family_name"], plus["alias_canonical"]) == (
        True,
        "Cohere",
        "c4ai-command-r",
    )
    page = client.get(f"{T}/group", {"name": "c4ai-command-r-plus"}).json()
    assert page["related_family"] == {
        "family_name": "Cohere",
        "members": ["c4ai-command-r", "c4ai-command-r-plus"],
    }
    assert (
        page["name_schema_is_custom"],
        page["name_format"]["separator"],
        page["name_format"]["template"],
    ) == (
        True,
        "_",
        "",
    )
    assert client.get(f"{T}/parse_name", {"name": "CohereForAI/c4ai-command-r-plus"}).json()[
        "suggested_group"
    ] == ("c4ai-command-r")

    settings.HMR_REPLICATE_MODE = "REPLICA"  # a REPLICA has no stores: the reads answer without them
    summary = {g["group_name"]: g for g in client.get(f"{T}/groups/summary").json()["groups"]}
    assert {k: summary["c4ai-command-r"][k] for k in ("has_custom_schema", "family_name", "aliases")} == {
        "has_custom_schema": False,
        "family_name": None,
        "aliases": [],
    }
    page = client.get(f"{T}/group", {"name": "c4ai-command-r-plus"}).json()
    assert (page["related_family"], page["name_schema_is_custom"], page["name_format"]["separator"]) == (
        None,
        False,
        "-",
    )
    assert client.get(f"{T}/parse_name", {"name": "CohereForAI/c4ai-command-r-plus"}).json()[
        "suggested_group"
    ] == ("c4ai-command-r-plus")
    schema = client.get(f"{T}/group/name_schema", {"name": "c4ai-command-r"}).json()
    assert (schema["is_custom"], schema["name_schema"]["separator"]) == (False, "-")

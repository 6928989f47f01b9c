"""with-stats, deletion-risk (and /audit), popular: whole bodies for chosen records, computed here
from the fake AI-Horde's payloads; no request calls AI-Horde; 503 before the first snapshot."""

import json
from urllib.parse import urlsplit

import pytest

from apps.analytics.services import usage_refresh
from apps.catalog.models import ModelRecord
from apps.core import clock
from tests.analytics.horde_payloads import STATS_IMAGE, STATS_TEXT, STATUS_IMAGE, STATUS_TEXT, WORKERS_IMAGE
from tests.conftest import FROZEN_AT

pytestmark = pytest.mark.django_db
S = "/api/model_references/statistics"
V2 = "/api/model_references/v2"
AS_OF = clock.unix(FROZEN_AT)
MAGNUM = "anthracite-org/magnum-v4-12b"
MAGNUM_NAMES = [
    "aphrodite/anthracite-org/magnum-v4-12b",
    "koboldcpp/magnum-v4-12b",
    "koboldcpp/magnum-v4-12b-Q4_K_M",
]
UNSERVED_IMAGE = {"queued_jobs": None, "performance": None, "eta": None, "queued": None, "usage_stats": None}


def _status(entries, name):
    return next(e for e in entries if e["name"] == name)


def _usage(stats, names):
    return {p: sum(stats[p].get(n, 0) for n in names) for p in ("day", "month", "total")}


def _variation(name, stats, **extra):
    status = _status(STATUS_TEXT, name)
    usage = _usage(stats, extra.pop("usage_names", [name]))
    return {
        "backend": name.split("/")[0],
        "variant_name": name,
        "worker_count": status["count"],
        "performance": status["performance"],
        **extra,
        "usage_day": usage["day"],
        "usage_month": usage["month"],
        "usage_total": usage["total"],
    }


def _image_month_usage(name):
    return sum(n for key, n in STATS_IMAGE["month"].items() if key.lower() == name.lower())


def test_no_request_calls_ai_horde(client, usage_snapshot):
    asked = usage_snapshot.calls
    for path in (
        f"{S}/image_generation/with-stats?include_workers=true",
        f"{S}/text_generation/with-stats?include_backend_variations=true",
        f"{S}/text_generation/deletion-risk?group_text_models=true",
        f"{S}/image_generation/audit?preset=zero_usage",
        f"{V2}/text_generation/popular?sort_by=usage_month&include_workers=true",
        "/api/heartbeat",
    ):
        assert client.get(path).status_code == 200, path
    assert usage_snapshot.calls == asked


def test_with_stats_of_a_text_record_with_its_backend_variations(client, usage_snapshot):
    response = client.get(f"{S}/text_generation/with-stats", {"include_backend_variations": "true"})
    assert (response["X-Snapshot-As-Of"], response["X-Snapshot-Stale"]) == ("2026-01-02T03:04:05Z", "false")
    body = response.json()
    assert list(body) == list(
        ModelRecord.objects.filter(category="text_generation")
        .order_by("position")
        .values_list("name", flat=True)
    )
    kobold = _status(STATUS_TEXT, "koboldcpp/magnum-v4-12b")  # the variant with the most workers
    assert body[MAGNUM] == {
        "queued_jobs": kobold["jobs"],
        "performance": kobold["performance"],
        "eta": kobold["eta"],
        "queued": kobold["queued"],
        "usage_stats": _usage(STATS_TEXT, MAGNUM_NAMES),
        "worker_summaries": None,
        "backend_variations": {
            "aphrodite": _variation(
                MAGNUM_NAMES[0], STATS_TEXT, queued=3200, queued_jobs=2, eta=14, usage_names=MAGNUM_NAMES[:1]
            ),
            "koboldcpp": _variation(
                MAGNUM_NAMES[1], STATS_TEXT, queued=1800, queued_jobs=3, eta=9, usage_names=MAGNUM_NAMES[1:]
            ),
        },
        "observed_at": AS_OF,
        "worker_count": kobold["count"],
    }
    first = next(iter(body))
    assert body[first] == {
        **UNSERVED_IMAGE,
        "worker_summaries": None,
        "backend_variations": {},
        "observed_at": AS_OF,
        "worker_count": 0,
    }


def test_with_stats_of_image_records_with_workers_filtered_and_sorted(client, usage_snapshot):
    body = client.get(
        f"{S}/image_generation/with-stats",
        {"include_workers": "true", "min_worker_count": "2", "sort_by": "worker_count"},
    ).json()
    served = sorted((e for e in STATUS_IMAGE if e["count"] >= 2), key=lambda e: -e["count"])
    assert list(body) == [ModelRecord.objects.get(name__iexact=e["name"]).name for e in served]
    albedo = _status(STATUS_IMAGE, "AlbedoBase XL (SDXL)")
    workers = [w for w in WORKERS_IMAGE if "AlbedoBase XL (SDXL)" in w["models"]]
    assert body["AlbedoBase XL (SDXL)"] == {
        "queued_jobs": albedo["jobs"],
        "performance": albedo["performance"],
        "eta": albedo["eta"],
        "queued": albedo["queued"],
        "usage_stats": _usage(STATS_IMAGE, ["AlbedoBase XL (SDXL)"]),
        "worker_summaries": {
            w["id"]: {
                "id": w["id"],
                "name": w["name"],
                "performance": w["performance"],
                "online": w["online"],
                "trusted": w["trusted"],
                "uptime": w["uptime"],
                "max_length": None,
                "max_context_length": None,
                "bridge_agent": w["bridge_agent"],
                "nsfw": w["nsfw"],
            }
            for w in workers
        },
        "backend_variations": None,
        "observed_at": AS_OF,
        "worker_count": albedo["count"],  # the status count, not the 2 workers listed (upstream)
    }
    by_name = client.get(f"{S}/image_generation/with-stats", {"sort_by": "name", "sort_desc": "false"}).json()
    assert list(by_name) == sorted(by_name, key=str.lower)


def _legacy_image(legacy_dir):
    return json.loads((legacy_dir / "image" / "stable_diffusion.json").read_text())


def test_deletion_risk_of_image_records_and_the_summary_over_the_category(client, usage_snapshot, legacy_dir):
    body = client.get(f"{S}/image_generation/deletion-risk").json()
    legacy = _legacy_image(legacy_dir)
    used = {name: _image_month_usage(name) for name in legacy if _image_month_usage(name)}
    total = sum(used.values())
    served = {r for r in legacy for e in STATUS_IMAGE if e["name"].lower() == r.lower()}
    non_preferred = [
        n
        for n, r in legacy.items()
        if not any("huggingface.co" in d["file_url"] for d in r["config"]["download"])
    ]
    assert body["category_total_month_usage"] == total
    assert (body["total_count"], body["returned_count"], body["offset"], body["limit"]) == (161, 161, 0, None)
    assert (body["as_of"], body["stale"]) == (AS_OF, False)
    assert [m["name"] for m in body["models"][: len(used)]] == sorted(used, key=lambda n: -used[n])
    summary = body["summary"]
    assert summary["total_models"] == len(legacy)
    assert summary["models_with_zero_month_usage"] == len(legacy) - len(used)  # upstream: 0 (defect)
    assert summary["models_with_no_active_workers"] == len(legacy) - len(served)
    assert summary["models_with_non_preferred_hosts"] == len(non_preferred) == summary["models_with_warnings"]
    assert summary["category_total_month_usage"] == total

    albedo = body["models"][0]
    size = legacy["AlbedoBase XL (SDXL)"]["size_on_disk_bytes"]
    usage = _usage(STATS_IMAGE, ["AlbedoBase XL (SDXL)"])
    assert albedo == {
        "name": "AlbedoBase XL (SDXL)",
        "category": "image_generation",
        "deletion_risk_flags": dict.fromkeys(
            [
                "zero_usage_day",
                "zero_usage_month",
                "zero_usage_total",
                "no_active_workers",
                "has_multiple_hosts",
                "has_non_preferred_host",
                "has_unknown_host",
                "no_download_urls",
                "missing_description",
                "missing_baseline",
                "low_usage",
            ],
            False,
        ),
        "at_risk": False,
        "risk_score": 0,
        "worker_count": _status(STATUS_IMAGE, "AlbedoBase XL (SDXL)")["count"],
        "usage_day": usage["day"],
        "usage_month": usage["month"],
        "usage_total": usage["total"],
        "usage_hour": None,
        "usage_minute": None,
        "usage_percentage_of_category": round(usage["month"] / total * 100, 4),
        "usage_trend": {
            "day_to_month_ratio": usage["day"] / usage["month"],
            "month_to_total_ratio": usage["month"] / usage["total"],
        },
        "cost_benefit_score": round(usage["month"] / (size / 1024**3), 2),
        "size_gb": round(size / 1024**3, 2),
        "baseline": "stable_diffusion_xl",
        "nsfw": False,
        "has_description": True,
        "download_count": 1,
        "download_hosts": ["huggingface.co"],
        "backend_variations": None,
        "is_critical": False,
        "has_warning": False,
    }
    unused = body["models"][-1]  # nobody uses or serves it: every usage flag set (upstream set none)
    assert unused["name"] not in used and unused["worker_count"] == 0
    assert {
        k: unused["deletion_risk_flags"][k]
        for k in ("zero_usage_day", "zero_usage_month", "zero_usage_total", "no_active_workers", "low_usage")
    } == dict.fromkeys(
        ("zero_usage_day", "zero_usage_month", "zero_usage_total", "no_active_workers", "low_usage"), True
    )
    assert (unused["is_critical"], unused["usage_trend"], unused["cost_benefit_score"]) == (
        True,
        {"day_to_month_ratio": None, "month_to_total_ratio": None},
        0.0,
    )
    hosts = [urlsplit(d["file_url"]).netloc for d in legacy[unused["name"]]["config"]["download"]]
    assert unused["download_hosts"] == list(dict.fromkeys(hosts))


def test_deletion_risk_of_text_with_backend_variations(client, usage_snapshot):
    body = client.get(f"{S}/text_generation/deletion-risk", {"include_backend_variations": "true"}).json()
    magnum = next(m for m in body["models"] if m["name"] == MAGNUM)
    assert magnum["backend_variations"] == [
        _variation(MAGNUM_NAMES[0], STATS_TEXT, usage_names=MAGNUM_NAMES[:1]),
        _variation(MAGNUM_NAMES[1], STATS_TEXT, usage_names=MAGNUM_NAMES[1:]),
    ]
    record = ModelRecord.objects.get(category="text_generation", name=MAGNUM)
    assert magnum["deletion_risk_flags"]["missing_description"] is (not (record.description or "").strip())
    assert (magnum["size_gb"], magnum["cost_benefit_score"], magnum["download_hosts"]) == (None, None, [])
    assert magnum["usage_month"] == _usage(STATS_TEXT, MAGNUM_NAMES)["month"]
    plain = client.get(f"{S}/text_generation/deletion-risk").json()
    assert all(m["backend_variations"] is None for m in plain["models"])
    assert plain["summary"]["total_models"] == 719
    assert sum(m["usage_percentage_of_category"] for m in plain["models"]) <= 100.0001


def test_presets_filter_the_list_and_pages_slice_it_the_summary_stays_the_category(client, usage_snapshot):
    everything = client.get(f"{S}/image_generation/deletion-risk").json()
    zero = client.get(
        f"{S}/image_generation/deletion-risk", {"preset": "zero_usage", "limit": "5", "offset": "2"}
    ).json()
    kept = [m for m in everything["models"] if m["usage_month"] == 0]
    assert (zero["total_count"], zero["returned_count"], zero["offset"], zero["limit"]) == (
        len(kept),
        5,
        2,
        5,
    )
    assert zero["models"] == kept[2:7]
    assert zero["summary"] == everything["summary"]
    for preset, keep in {
        "no_workers": lambda m: m["worker_count"] == 0,
        "host_issues": lambda m: m["has_warning"],
        "critical": lambda m: m["is_critical"],
        "low_usage": lambda m: m["deletion_risk_flags"]["low_usage"],
        "missing_data": lambda m: (
            m["deletion_risk_flags"]["missing_description"] or m["deletion_risk_flags"]["missing_baseline"]
        ),
        "deletion_candidates": lambda m: (
            m["at_risk"] or m["usage_percentage_of_category"] < 0.01 or not m["worker_count"]
        ),
    }.items():
        body = client.get(f"{S}/image_generation/deletion-risk", {"preset": preset}).json()
        assert body["models"] == [m for m in everything["models"] if keep(m)], preset
    audit = client.get(f"{S}/image_generation/audit", {"preset": "zero_usage", "limit": "5", "offset": "2"})
    assert audit.json() == zero  # the name the 2025 web frontend calls


def test_grouped_text_deletion_risk_merges_each_group(client, usage_snapshot):
    plain = client.get(f"{S}/text_generation/deletion-risk").json()
    grouped = client.get(f"{S}/text_generation/deletion-risk", {"group_text_models": "true"}).json()
    groups = {}
    for record in ModelRecord.objects.filter(category="text_generation").order_by("position"):
        groups.setdefault(record.text_model_group, []).append(record.name)
    assert grouped["total_count"] == grouped["returned_count"] == len(groups)
    by_name = {m["name"]: m for m in plain["models"]}
    magnum = next(m for m in grouped["models"] if m["name"] == "magnum")
    members = [by_name[n] for n in groups["magnum"]]
    assert magnum["usage_month"] == sum(m["usage_month"] for m in members) > 0
    assert magnum["worker_count"] == max(m["worker_count"] for m in members)
    assert magnum["deletion_risk_flags"]["zero_usage_month"] is False  # recomputed, not OR-ed
    assert magnum["backend_variations"] is None
    assert grouped["summary"]["total_models"] == len(groups)
    assert grouped["summary"]["category_total_month_usage"] == plain["category_total_month_usage"]
    again = client.get(f"{S}/text_generation/deletion-risk", {"group_text_models": "true"}).json()
    assert again == grouped  # upstream's second grouped answer was the ungrouped one


def test_popular_records_with_their_v2_record_and_stats_without_nulls(client, usage_snapshot):
    body = client.get(f"{V2}/image_generation/popular", {"limit": "3"}).json()
    top = sorted(STATUS_IMAGE, key=lambda e: -e["count"])[:3]
    assert [item["name"] for item in body] == [e["name"] for e in top]
    albedo = body[0]
    assert albedo["record"] == client.get(f"{V2}/image_generation/model/AlbedoBase XL (SDXL)").json()
    status = top[0]
    assert albedo["stats"] == {
        "queued_jobs": status["jobs"],
        "performance": status["performance"],
        "eta": status["eta"],
        "queued": status["queued"],
        "usage_stats": _usage(STATS_IMAGE, [status["name"]]),
        "observed_at": AS_OF,
        "worker_count": status["count"],
    }
    text = client.get(
        f"{V2}/text_generation/popular", {"sort_by": "usage_month", "limit": "2", "include_workers": "true"}
    ).json()
    months = [item["stats"]["usage_stats"]["month"] for item in text]
    assert months == sorted(months, reverse=True) and text[0]["name"] == "Sao10K/L3-8B-Stheno-v3.2"
    assert list(text[0]["stats"]["worker_summaries"]) == ["5b1f0c7e-0000-4000-8000-000000000006"]
    assert client.get(f"{V2}/clip/popular").json() == []


@pytest.mark.parametrize(
    ("path", "status", "detail"),
    [
        (
            f"{S}/clip/with-stats",
            400,
            "Category 'clip' does not support Horde statistics. Only image_generation and text_generation are supported.",
        ),
        (
            f"{S}/lora/deletion-risk",
            400,
            "Deletion risk analysis is only supported for image_generation and text_generation categories",
        ),
        (
            f"{S}/image_generation/deletion-risk?preset=bogus",
            400,
            "Invalid preset: Unknown preset: 'bogus'. Valid presets: deletion_candidates, zero_usage, no_workers, "
            "missing_data, host_issues, critical, low_usage",
        ),
        (
            f"{V2}/nope/popular",
            422,
            "Unknown category 'nope'. Valid: ['blip', 'clip', 'codeformer', 'controlnet', 'controlnet_annotator', "
            "'esrgan', 'gfpgan', 'safety_checker', 'image_generation', 'text_generation', 'video_generation', "
            "'audio_generation', 'miscellaneous', 'lora', 'ti']",
        ),
    ],
)
def test_refusals_are_upstreams(client, demo_usage, path, status, detail):
    usage_refresh()
    response = client.get(path)
    assert (response.status_code, response.json()) == (status, {"detail": detail})


def test_validation_errors(client, demo_usage):
    usage_refresh()
    sort = client.get(f"{V2}/image_generation/popular", {"sort_by": "name"}).json()["detail"][0]
    expected = "'worker_count', 'usage_day', 'usage_month' or 'usage_total'"
    assert sort == {
        "type": "literal_error",
        "loc": ["query", "sort_by"],
        "msg": f"Input should be {expected}",
        "input": "name",
        "ctx": {"expected": expected},
    }
    assert client.get(f"{V2}/image_generation/popular", {"limit": "101"}).status_code == 422
    limit = client.get(f"{S}/image_generation/deletion-risk", {"limit": "0"})
    assert limit.status_code == 422 and limit.json()["detail"][0]["loc"] == ["query", "limit"]
    assert client.get(f"{S}/image_generation/with-stats", {"min_worker_count": "x"}).status_code == 422


def test_before_the_first_snapshot_live_answers_are_503_and_say_why(client, demo_usage):
    demo_usage.fail_usage_with(503)
    usage_refresh()  # fails: AI-Horde is in maintenance
    message = (
        "AI-Horde usage of image_generation has not been collected yet: the first refresh (every 10 minutes) "
        "has not succeeded yet. Try again later. The last attempt failed: AI-Horde answered HTTP 503"
    )
    for path in (
        f"{S}/image_generation/with-stats",
        f"{S}/image_generation/deletion-risk",
        f"{S}/image_generation/audit",
        f"{V2}/image_generation/popular",
    ):
        response = client.get(path)
        assert (response.status_code, response.json()) == (503, {"detail": message}), path
    assert client.get(f"{S}/image_generation").status_code == 200  # statistics need no live data
    assert client.get(f"{V2}/clip/popular").json() == []


def test_a_category_without_records_is_404_before_any_snapshot(client, db):
    assert client.get(f"{S}/image_generation/with-stats").json() == {
        "detail": "Category 'image_generation' not found"
    }
    assert client.get(f"{S}/text_generation/deletion-risk").json() == {
        "detail": "Category 'text_generation' not found or has no models"
    }
    assert client.get(f"{V2}/image_generation/popular").json() == []  # upstream: nothing popular

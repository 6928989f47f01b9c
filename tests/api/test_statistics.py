"""`GET /api/model_references/statistics/{category}`: the real data's statistics against figures
computed here from the legacy files themselves, upstream's shapes and errors, its defects fixed."""

import csv
import json
from collections import Counter
from urllib.parse import urlsplit

import pytest

from apps.catalog.models import ModelRecord
from apps.catalog.sources import DEMO_DIR
from apps.core import clock
from tests.conftest import FROZEN_AT

pytestmark = pytest.mark.django_db
URL = "/api/model_references/statistics"
# The v2 names of the legacy image baselines (upstream's converter; the others are spelled alike).
V2_BASELINES = {"stable diffusion 1": "stable_diffusion_1", "stable diffusion 2": "stable_diffusion_2_768"}
BUCKETS = [(0, 3, "< 3B"), (3, 6, "3B-6B"), (6, 9, "6B-9B"), (9, 13, "9B-13B"), (13, 20, "13B-20B")]
BUCKETS += [(20, 35, "20B-35B"), (35, 70, "35B-70B"), (70, None, "> 70B")]


def _pct(n, total):
    return round(n / total * 100, 2)


def _ranked(values, total, key="tag", top=None):
    """Count per value, most first, ties in first-seen order (Counter keeps insertion order)."""
    counts = Counter(values)
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])[:top]
    return [{key: value, "count": n, "percentage": _pct(n, total)} for value, n in ranked]


def test_image_generation_statistics_are_the_legacy_files_figures(client, imported, legacy_dir):
    records = list(json.loads((legacy_dir / "image" / "stable_diffusion.json").read_text()).values())
    total = len(records)
    baselines = [V2_BASELINES.get(r["baseline"], r["baseline"]) for r in records]
    downloads = [d for r in records for d in r["config"].get("download", [])]
    sizes = [r["size_on_disk_bytes"] for r in records if r.get("size_on_disk_bytes", 0) > 0]
    expected = {
        "category": "image_generation",
        "total_models": total,
        "returned_models": total,
        "offset": 0,
        "limit": None,
        "nsfw_count": sum(1 for r in records if r.get("nsfw")),
        "baseline_distribution": {b["baseline"]: b for b in _ranked(baselines, total, key="baseline")},
        "download_stats": {
            "total_models_with_downloads": sum(1 for r in records if r["config"].get("download")),
            "total_download_entries": len(downloads),
            "total_size_bytes": sum(sizes),
            "models_with_size_info": len(sizes),
            "average_size_bytes": round(sum(sizes) / len(sizes), 2),
            "hosts": {
                h["tag"]: h["count"] for h in _ranked([urlsplit(d["file_url"]).netloc for d in downloads], 1)
            },
        },
        "top_tags": _ranked([t for r in records for t in r.get("tags") or [] if t], total, top=20),
        "top_styles": _ranked([r["style"] for r in records if r.get("style")], total, top=20),
        "parameter_buckets": [],
        "models_without_param_info": 0,
        "models_with_trigger_words": sum(1 for r in records if r.get("trigger")),
        "models_with_inpainting": sum(1 for r in records if r.get("inpainting")),
        "models_with_requirements": sum(1 for r in records if r.get("requirements")),
        "models_with_showcases": sum(1 for r in records if r.get("showcases")),
        "computed_at": clock.unix(FROZEN_AT),
    }
    response = client.get(f"{URL}/image_generation")
    assert response.status_code == 200
    assert response.json() == expected
    assert expected["download_stats"]["hosts"] == {"huggingface.co": 153, "civitai.com": 9}  # the real files


def _text_rows(legacy_dir):
    rows = {}
    with (legacy_dir / "text" / "models.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            rows[row["name"]] = row  # a repeated name: the later row, at the earlier place
    return list(rows.values())


def test_text_generation_statistics_read_the_parameter_counts_and_group(client, imported, legacy_dir):
    rows = _text_rows(legacy_dir)
    total = len(rows)
    parameters = [int(float(r["parameters_bn"]) * 1_000_000_000) for r in rows]
    buckets = []
    for low, high, label in BUCKETS:
        n = sum(1 for p in parameters if p >= low * 10**9 and (high is None or p < high * 10**9))
        if n:
            buckets.append(
                {
                    "bucket_label": label,
                    "min_params": low * 10**9,
                    "max_params": None if high is None else high * 10**9,
                    "count": n,
                    "percentage": _pct(n, total),
                }
            )
    body = client.get(f"{URL}/text_generation").json()
    assert body["parameter_buckets"] == buckets
    assert sum(b["count"] for b in buckets) == total and body["models_without_param_info"] == 0
    assert body["total_models"] == total == 719
    baselines = _ranked([r["baseline"] for r in rows if r["baseline"]], total, key="baseline")
    assert body["baseline_distribution"] == {b["baseline"]: b for b in baselines}
    tags = [t.strip() for r in rows for t in r["tags"].split(",") if t.strip()]
    assert body["top_tags"] == _ranked(tags, total, top=20)
    assert body["top_styles"] == _ranked([r["style"] for r in rows if r["style"]], total, top=20)
    assert body["nsfw_count"] == 0 and body["download_stats"]["total_download_entries"] == 0

    # Grouped: each text model group counts once, as its first record.
    records = ModelRecord.objects.filter(category="text_generation").order_by("position")
    firsts = {}
    for record in records:
        firsts.setdefault(record.text_model_group, record)
    body = client.get(f"{URL}/text_generation", {"group_text_models": "true"}).json()
    total = len(firsts)
    assert (body["total_models"], body["returned_models"]) == (total, total)
    styles = _ranked([r.style for r in firsts.values() if r.style], total, top=20)
    assert body["top_styles"] == styles
    assert sum(b["count"] for b in body["parameter_buckets"]) == total
    # Grouping is for text only: elsewhere the parameter is accepted and changes nothing.
    assert client.get(f"{URL}/clip", {"group_text_models": "true"}).json()["total_models"] == 2


def test_offset_and_limit_are_this_requests_echo_even_when_cached(client, demo_usage):
    records = list(json.loads((DEMO_DIR / "image" / "esrgan.json").read_text()).values())
    urls = [d["file_url"] for r in records for d in r["config"]["download"]]
    paged = client.get(f"{URL}/esrgan", {"limit": "5", "offset": "2"}).json()
    plain = client.get(f"{URL}/esrgan").json()
    assert (paged["offset"], paged["limit"], plain["offset"], plain["limit"]) == (2, 5, 0, None)
    assert {k: v for k, v in paged.items() if k not in ("offset", "limit")} == {
        k: v for k, v in plain.items() if k not in ("offset", "limit")
    }
    assert plain == {
        "category": "esrgan",
        "total_models": len(records),
        "returned_models": len(records),
        "offset": 0,
        "limit": None,
        "nsfw_count": 0,
        "baseline_distribution": {},
        "download_stats": {
            "total_models_with_downloads": len(records),
            "total_download_entries": len(urls),
            "total_size_bytes": 0,
            "models_with_size_info": 0,
            "average_size_bytes": 0.0,
            "hosts": {h["tag"]: h["count"] for h in _ranked([urlsplit(u).netloc for u in urls], 1)},
        },
        "top_tags": [],
        "top_styles": [],
        "parameter_buckets": [],
        "models_without_param_info": 0,
        "models_with_trigger_words": 0,
        "models_with_inpainting": 0,
        "models_with_requirements": 0,
        "models_with_showcases": 0,
        "computed_at": clock.unix(FROZEN_AT),
    }


def test_an_empty_category_has_zeros_and_an_answer_changes_with_the_data(client, db):
    body = client.get(f"{URL}/lora").json()
    assert (body["total_models"], body["download_stats"]["hosts"], body["top_tags"]) == (0, {}, [])
    first = client.get(f"{URL}/lora")
    assert client.get(f"{URL}/lora", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


@pytest.mark.parametrize(
    ("path", "error"),
    [
        (
            "nope",
            {
                "type": "enum",
                "loc": ["path", "model_category_name"],
                "msg": "Input should be 'blip', 'clip', 'codeformer', 'controlnet', 'controlnet_annotator', 'esrgan', "
                "'gfpgan', 'safety_checker', 'image_generation', 'text_generation', 'video_generation', "
                "'audio_generation', 'miscellaneous', 'lora' or 'ti'",
                "input": "nope",
            },
        ),
        (
            "clip?limit=0",
            {
                "type": "greater_than_equal",
                "loc": ["query", "limit"],
                "msg": "Input should be greater than or equal to 1",
                "input": "0",
                "ctx": {"ge": 1},
            },
        ),
        (
            "clip?offset=-1",
            {
                "type": "greater_than_equal",
                "loc": ["query", "offset"],
                "msg": "Input should be greater than or equal to 0",
                "input": "-1",
                "ctx": {"ge": 0},
            },
        ),
        (
            "clip?group_text_models=maybe",
            {
                "type": "bool_parsing",
                "loc": ["query", "group_text_models"],
                "msg": "Input should be a valid boolean, unable to interpret input",
                "input": "maybe",
            },
        ),
    ],
)
def test_bad_input_is_upstreams_422(client, db, path, error):
    response = client.get(f"{URL}/{path}")
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert len(detail) == 1
    assert {k: v for k, v in detail[0].items() if k != "ctx" or "ctx" in error} == error

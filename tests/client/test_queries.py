"""The query builder on the real data. Every expected result is computed here, with plain
comprehensions over the v2 documents as the server serves them (fetched with httpx, not with
hmr_client) or over the legacy files; queries ask the server nothing."""

from __future__ import annotations

import json
import re
from collections import Counter

import httpx
from hmr_client.categories import SERVED


def sized_desc(document: dict) -> list[str]:
    """Names by size on disk, largest first; records without a size first (as the server sorts)."""
    unsized = [n for n, r in document.items() if r.get("size_on_disk_bytes") is None]
    sized = sorted(
        ((n, r) for n, r in document.items() if r.get("size_on_disk_bytes") is not None),
        key=lambda item: item[1]["size_on_disk_bytes"],
        reverse=True,
    )
    return unsized + [n for n, _ in sized]


def test_image_generation_queries(live_hmr, manager_for):
    images = live_hmr.document("image_generation")
    manager = manager_for()
    manager.get_all_model_references()
    live_hmr.log.seen.clear()
    query = manager.query_image_generation()

    sdxl_sfw = [n for n, r in images.items() if r["baseline"] == "stable_diffusion_xl" and not r["nsfw"]]
    assert sdxl_sfw and query.for_baseline("stable_diffusion_xl").exclude_nsfw().names() == sdxl_sfw
    assert query.where(baseline="stable_diffusion_xl", nsfw=False).names() == sdxl_sfw
    assert query.only_nsfw().names() == [n for n, r in images.items() if r["nsfw"]]
    inpainting = [n for n, r in images.items() if r.get("inpainting")]
    assert inpainting and query.only_inpainting().names() == inpainting
    assert query.exclude_inpainting().count() == len(images) - len(inpainting)

    assert query.name_contains("XL").names() == [n for n in images if "xl" in n.lower()]
    anime = [n for n, r in images.items() if r["style"] == "anime" and {"anime", "cartoon"} & set(r["tags"])]
    assert query.where(style="anime").tags_any("anime", "cartoon").names() == anime
    assert query.tags_none("anime").count() == sum("anime" not in r["tags"] for r in images.values())

    big = 6_000_000_000
    assert query.where(size_on_disk_bytes__gt=big).names() == [
        n for n, r in images.items() if (r.get("size_on_disk_bytes") or 0) > big
    ]
    by_size = query.order_by("size_on_disk_bytes", descending=True)
    assert by_size.limit(10).names() == sized_desc(images)[:10]
    assert by_size.offset(10).limit(10).names() == sized_desc(images)[10:20]
    assert query.order_by("size_on_disk_bytes").names()[-1] == sized_desc(images)[0]  # no size: last

    assert query.distinct("baseline") == list(dict.fromkeys(r["baseline"] for r in images.values()))
    assert {style: len(rs) for style, rs in query.group_by("style").items()} == dict(
        Counter(r["style"] for r in images.values())
    )
    with_requirements = [n for n, r in images.items() if r.get("requirements")]
    assert with_requirements and query.where(requirements__ne=None).names() == with_requirements
    assert [s for s in live_hmr.log.seen if s.path.startswith("/api/")] == []  # all from the cache


def _quantised(name: str) -> bool:
    """A part of the name (between non-alphanumerics) that is a quantisation: Q4 (of Q4_K_M), Q8,
    GGUF, GGML, GPTQ, AWQ, EXL2, fp16, fp32, int8, int4."""
    quant = r"q\d|gguf|ggml|gptq|awq|exl2|fp16|fp32|int8|int4"
    return any(re.fullmatch(quant, part, re.IGNORECASE) for part in re.split(r"[^A-Za-z0-9]", name))


def test_text_generation_queries(live_hmr, manager_for, legacy_dir):
    texts = live_hmr.document("text_generation")
    manager = manager_for()
    query = manager.query_text_generation()

    # Backend names: those the text repo's db.json lists for each backend.
    db = json.loads((legacy_dir / "text" / "db.json").read_text())
    for backend in ("aphrodite", "koboldcpp"):
        names = query.for_backend(backend).names()
        assert len(names) == len(texts)
        assert set(names) == {key for key in db if key.startswith(f"{backend}/")}
    assert query.exclude_backend_variations().names() == list(texts)

    quantised = [n for n in texts if _quantised(n)]
    assert quantised and query.only_quantized().names() == quantised
    assert query.exclude_quantized().names() == [n for n in texts if not _quantised(n)]
    searched = httpx.get(
        f"{live_hmr.url}/model_references/v2/text_generation/search",
        params={"quantized": "true", "limit": 500},
    ).json()
    assert [r["name"] for r in searched["results"]] == quantised  # the server's search agrees

    large = [n for n, r in texts.items() if r["parameters"] >= 70_000_000_000]
    assert large and query.where(parameters__gte=70_000_000_000).names() == large
    assert query.where(parameters_count__gte=70_000_000_000).names() == large
    story = [n for n, r in texts.items() if {"story", "roleplay"} <= set(r["tags"] or [])]
    assert story and query.tags_all("story", "roleplay").names() == story
    roleplay = [(n, r["parameters"]) for n, r in texts.items() if r["style"] == "roleplay"]
    biggest = max(roleplay, key=lambda item: item[1])  # max keeps the first of equals, as a stable sort
    assert (
        query.where(style="roleplay").order_by("parameters_count", descending=True).first().name == biggest[0]
    )

    groups = query.group_by_base_model()
    expected = {}
    for name, record in texts.items():
        expected.setdefault(record["text_model_group"], []).append(name)
    assert {group: [r.name for r in rs] for group, rs in groups.items()} == expected
    slashed = [n for n in texts if "/" in n]
    assert len(slashed) > 700 and query.filter(lambda r: "/" in r.name).names() == slashed


def test_controlnet_and_cross_category_queries(live_hmr, manager_for):
    documents = {c: live_hmr.document(c.value) for c in SERVED}
    manager = manager_for()
    controlnets = documents["controlnet"]
    query = manager.query_controlnet()
    canny = [n for n, r in controlnets.items() if r["controlnet_style"] == "control_canny"]
    assert canny and query.for_style("control_canny").names() == canny
    expected = {}
    for name, record in controlnets.items():
        expected.setdefault(record["controlnet_style"], []).append(name)
    assert {style: [r.name for r in rs] for style, rs in query.group_by_style().items()} == expected

    everything = manager.query_all()
    assert everything.count() == sum(len(d) for d in documents.values()) == 913
    assert everything.where(nsfw=True).names() == [
        n for d in documents.values() for n, r in d.items() if r.get("nsfw") is True
    ]
    assert {k: len(v) for k, v in everything.group_by("record_type").items()} == {
        c.value: len(d) for c, d in documents.items() if d
    }
    assert everything.name_contains("esrgan").names() == [
        n for d in documents.values() for n in d if "esrgan" in n.lower()
    ]

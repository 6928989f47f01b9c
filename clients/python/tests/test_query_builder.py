"""The query builder's rules (the real-data checks are in the server's tests/client/test_queries.py):
reusable steps, field checks, operators, ordering with missing values, pages, distinct, group_by."""

from __future__ import annotations

import pytest


@pytest.fixture
def manager(fake, manager_for):
    return manager_for()


def test_queries_run_on_the_cache_without_a_request(fake, manager):
    manager.get_all_model_references()
    fake.clear()
    manager.query("image_generation").where(nsfw=False).to_list()
    manager.query_text_generation().exclude_quantized().count()
    manager.query_all().name_contains("x").to_list()
    assert fake.seen == []


def test_steps_make_new_queries_so_a_partial_one_can_be_reused(fake, manager):
    images = fake.documents["image_generation"]
    sd1 = manager.query("image_generation").for_baseline("stable_diffusion_1")
    safe, unsafe = sd1.exclude_nsfw(), sd1.only_nsfw()
    assert safe.names() == [
        n for n, r in images.items() if r["baseline"] == "stable_diffusion_1" and not r["nsfw"]
    ]
    assert unsafe.names() == [
        n for n, r in images.items() if r["baseline"] == "stable_diffusion_1" and r["nsfw"]
    ]
    assert sd1.count() == sum(r["baseline"] == "stable_diffusion_1" for r in images.values())


def test_where_operators_lists_nested_fields_and_predicates(fake, manager):
    images = fake.documents["image_generation"]
    query = manager.query("image_generation")
    big = 5_000_000_000
    assert query.where(size_on_disk_bytes__gt=big).names() == [
        n for n, r in images.items() if r["size_on_disk_bytes"] is not None and r["size_on_disk_bytes"] > big
    ]
    assert query.where(size_on_disk_bytes__ne=big).count() == len(images)  # a missing size is "not equal"
    assert query.where(baseline=["stable_diffusion_xl", "flux_1"]).names() == [
        n for n, r in images.items() if r["baseline"] in ("stable_diffusion_xl", "flux_1")
    ]
    assert query.where(tags__contains="realistic").names() == [
        n for n, r in images.items() if "realistic" in r["tags"]
    ]
    assert query.where(description__icontains="SDXL-free").names() == []
    assert query.where(model_classification__domain="image").count() == len(images)
    assert query.where(lambda r: r.name.startswith("A"), nsfw=True).names() == [
        n for n, r in images.items() if n.startswith("A") and r["nsfw"]
    ]
    text = fake.documents["text_generation"]
    assert manager.query("text_generation").where(parameters__gte=24_000_000_000).names() == [
        n for n, r in text.items() if r["parameters"] >= 24_000_000_000
    ]


def test_unknown_fields_are_refused_with_the_valid_ones(manager):
    with pytest.raises(
        ValueError, match=r"Field 'nsfw' does not exist on ClipModelRecord\. Valid fields: \["
    ):
        manager.query("clip").where(nsfw=False)
    with pytest.raises(ValueError, match="Field 'sizee' does not exist"):
        manager.query("image_generation").order_by("sizee")
    with pytest.raises(ValueError, match="Field 'tags' does not exist on EsrganModelRecord"):
        manager.query("esrgan").tags_any("x")


def test_tags(fake, manager):
    images = fake.documents["image_generation"]
    query = manager.query("image_generation")
    assert query.tags_any("anime", "portrait").names() == [
        n for n, r in images.items() if {"anime", "portrait"} & set(r["tags"])
    ]
    assert query.tags_all(["realistic", "portrait"]).names() == [
        n for n, r in images.items() if {"realistic", "portrait"} <= set(r["tags"])
    ]
    assert query.tags_none("realistic").names() == [
        n for n, r in images.items() if "realistic" not in r["tags"]
    ]


def test_order_by_puts_missing_values_last_or_first_and_pages_after_ordering(fake, manager):
    images = fake.documents["image_generation"]
    sized = sorted(
        (r for r in images.values() if r["size_on_disk_bytes"] is not None),
        key=lambda r: r["size_on_disk_bytes"],
    )
    unsized = [r["name"] for r in images.values() if r["size_on_disk_bytes"] is None]
    query = manager.query("image_generation")
    ascending = query.order_by("size_on_disk_bytes").names()
    assert ascending == [r["name"] for r in sized] + unsized
    descending = query.order_by("size_on_disk_bytes", descending=True).names()
    by_size_desc = sorted(sized, key=lambda r: r["size_on_disk_bytes"], reverse=True)  # ties keep their order
    assert descending == unsized + [r["name"] for r in by_size_desc]
    # offset and limit apply after ordering, wherever they are in the chain.
    assert query.limit(2).offset(1).order_by("size_on_disk_bytes").names() == ascending[1:3]
    assert query.order_by("size_on_disk_bytes").first().name == ascending[0]
    assert query.where(baseline="none").first() is None


def test_distinct_and_group_by(fake, manager):
    images = fake.documents["image_generation"]
    query = manager.query("image_generation")
    assert query.distinct("baseline") == list(dict.fromkeys(r["baseline"] for r in images.values()))
    assert [tuple(t) for t in query.distinct("tags")] == list(
        dict.fromkeys(tuple(r["tags"]) for r in images.values())
    )
    groups = query.group_by("baseline")
    assert {k: [r.name for r in v] for k, v in groups.items()} == {
        b: [n for n, r in images.items() if r["baseline"] == b]
        for b in dict.fromkeys(r["baseline"] for r in images.values())
    }


def test_text_helpers(fake, manager):
    text = fake.documents["text_generation"]
    query = manager.query_text_generation()
    assert query.for_backend("aphrodite").names() == [f"aphrodite/{n}" for n in text]
    assert query.for_backend("koboldcpp").names() == [f"koboldcpp/{n.split('/')[-1]}" for n in text]
    assert (
        query.for_backend("koboldcpp").where(parameters=12_000_000_000).first().name
        == "koboldcpp/magnum-12b-v2"
    )
    assert (
        manager.get_model("text_generation", "anthracite-org/magnum-12b-v2").name
        == "anthracite-org/magnum-12b-v2"
    )
    assert query.exclude_backend_variations().names() == list(text)
    assert query.only_quantized().names() == ["ReadyArt/Broken-Tutu-24B-Q4_K_M"]
    assert query.exclude_quantized().names() == [n for n in text if n != "ReadyArt/Broken-Tutu-24B-Q4_K_M"]
    groups = query.group_by_base_model()
    assert {k: [r.name for r in v] for k, v in groups.items()} == {
        "magnum": ["anthracite-org/magnum-12b-v2"],
        "Broken-Tutu": ["ReadyArt/Broken-Tutu-24B-Q4_K_M", "ReadyArt/Broken-Tutu-24B"],
        "Enterredaas": ["Aeala/Enterredaas-33b"],
        "koboldcpp-free-name": ["koboldcpp-free-name"],  # no group on the record: its name
    }
    with pytest.raises(ValueError, match="Unknown backend 'vllm'"):
        query.for_backend("vllm")


def test_controlnet_helpers_and_every_category_at_once(fake, manager):
    controlnets = fake.documents["controlnet"]
    query = manager.query_controlnet()
    assert query.for_style("control_canny").names() == [
        n for n, r in controlnets.items() if r["controlnet_style"] == "control_canny"
    ]
    assert {k: [r.name for r in v] for k, v in query.group_by_style().items()} == {
        s: [n for n, r in controlnets.items() if r["controlnet_style"] == s]
        for s in dict.fromkeys(r["controlnet_style"] for r in controlnets.values())
    }
    everything = manager.query_all()
    assert everything.count() == sum(len(d) for d in fake.documents.values())
    assert everything.where(nsfw=True).names() == [
        n for d in fake.documents.values() for n, r in d.items() if r.get("nsfw") is True
    ]
    assert everything.group_by("record_type").keys() == {c for c, d in fake.documents.items() if d}

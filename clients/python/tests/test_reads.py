"""Reads: typed records, raw JSON, names with "/", missing categories and models, the pending
channel, metadata, and the singleton rules."""

from __future__ import annotations

import asyncio

import pytest
from fake_hmr import API, APIKEY, CATEGORIES
from hmr_client import (
    AuthError,
    Category,
    ImageGenerationModelRecord,
    ModelNotFound,
    ModelReferenceManager,
    ReferenceUnavailable,
    TextGenerationModelRecord,
)


def test_every_category_is_read_once_and_typed_with_the_served_values(fake, manager_for):
    manager = manager_for()
    references = manager.get_all_model_references()
    assert [c.value for c in references] == CATEGORIES
    assert {c.value: list(r) for c, r in references.items()} == {
        c: list(d) for c, d in fake.documents.items()
    }
    assert sorted(s.path for s in fake.documents_asked()) == sorted(f"{API}/{c}" for c in CATEGORIES)
    for name, served in fake.documents["text_generation"].items():
        record = references[Category.TEXT_GENERATION][name]
        assert isinstance(record, TextGenerationModelRecord)
        assert (record.name, record.parameters_count, record.tags, record.text_model_group) == (
            served["name"],
            served["parameters"],
            served["tags"],
            served["text_model_group"],
        )
        assert record.model_dump(mode="json", by_alias=True, exclude_unset=True) == served
    sdxl = references["image_generation"]["AlbedoBase XL (SDXL)"]
    assert isinstance(sdxl, ImageGenerationModelRecord)
    served = fake.documents["image_generation"]["AlbedoBase XL (SDXL)"]
    assert (sdxl.baseline, sdxl.nsfw, sdxl.size_on_disk_bytes, sdxl.config.download[0].sha256sum) == (
        served["baseline"],
        served["nsfw"],
        served["size_on_disk_bytes"],
        served["config"]["download"][0]["sha256sum"],
    )


def test_names_with_a_slash_work_in_every_read(fake, manager_for):
    manager = manager_for()
    name = "anthracite-org/magnum-12b-v2"
    served = fake.documents["text_generation"][name]
    assert manager.get_model("text_generation", name).name == name
    assert manager.get_model_or_none("text_generation", name).parameters_count == served["parameters"]
    assert manager.get_raw_model_json("text_generation", name) == served
    assert name in manager.get_model_names("text_generation")
    assert manager.text_generation_models[name].display_name == served["display_name"]
    assert manager.get_model("clip", "ViT-L/14").model_classification.purpose == "feature_extractor"


def test_per_category_properties_are_the_category_references(fake, manager_for):
    manager = manager_for()
    properties = {
        "image_generation_models": "image_generation",
        "text_generation_models": "text_generation",
        "clip_models": "clip",
        "blip_models": "blip",
        "controlnet_models": "controlnet",
        "controlnet_annotator_models": "controlnet_annotator",
        "esrgan_models": "esrgan",
        "gfpgan_models": "gfpgan",
        "codeformer_models": "codeformer",
        "safety_checker_models": "safety_checker",
        "miscellaneous_models": "miscellaneous",
        "audio_generation_models": "audio_generation",
        "video_generation_models": "video_generation",
    }
    for attribute, category in properties.items():
        assert list(getattr(manager, attribute)) == list(fake.documents[category]), attribute


def test_raw_reads_return_the_served_json_without_pydantic(fake, manager_for):
    manager = manager_for()
    assert manager.get_raw_model_reference_json("controlnet") == fake.documents["controlnet"]
    assert manager.get_raw_model_json("controlnet", "missing") is None
    assert manager.get_model_names_or_none("esrgan") == ["RealESRGAN_x4plus"]


def test_missing_models_and_unknown_categories(fake, manager_for):
    manager = manager_for()
    with pytest.raises(ModelNotFound) as missing:
        manager.get_model("image_generation", "No Such Model")
    assert str(missing.value) == "Model 'No Such Model' not found in category 'image_generation'"
    assert isinstance(missing.value, RuntimeError)  # what the replaced library raised
    assert manager.get_model_or_none("image_generation", "No Such Model") is None
    with pytest.raises(
        ValueError, match=r"Unknown category .stable_diffusion.\. Valid categories: blip, clip"
    ):
        manager.get_model_reference("stable_diffusion")


def test_lora_and_ti_are_managed_elsewhere_and_never_requested(fake, manager_for):
    manager = manager_for()
    everything = manager.get_all_model_references_or_none()
    assert everything[Category.LORA] is None and everything[Category.TI] is None
    assert Category.LORA not in manager.get_all_model_references()
    assert manager.get_model_reference_or_none("ti") is None
    with pytest.raises(ReferenceUnavailable, match="lora: managed elsewhere"):
        manager.get_model_reference("lora")
    assert not [s for s in fake.seen if s.path.endswith(("/lora", "/ti"))]


def test_a_category_the_server_does_not_have_is_missing(fake, manager_for):
    del fake.documents["video_generation"]
    manager = manager_for()
    assert manager.get_model_reference_or_none("video_generation") is None
    with pytest.raises(ReferenceUnavailable) as unavailable:
        manager.get_all_model_references()
    assert unavailable.value.categories == ("video_generation",)
    assert "the server has no video_generation document (404)" in str(unavailable.value)
    assert manager.get_all_model_references_or_none()[Category.VIDEO_GENERATION] is None


def test_the_pending_channel_needs_the_api_key_and_sends_it_nowhere_else(fake, manager_for):
    proposal = {**fake.documents["image_generation"]["Deliberate"], "description": "Proposed."}
    fake.pending["image_generation"] = {"Deliberate": proposal}
    manager = manager_for(apikey=APIKEY)
    pending = manager.get_pending_model_reference("image_generation")
    assert list(pending) == ["Deliberate"] and pending["Deliberate"].description == "Proposed."
    assert asyncio.run(manager.get_pending_model_reference_async("image_generation")) == pending
    manager.get_model_reference("image_generation")
    assert [(s.path, s.apikey) for s in fake.seen] == [
        (f"{API}/image_generation/pending", APIKEY),
        (f"{API}/image_generation/pending", APIKEY),
        (f"{API}/image_generation", None),
    ]
    ModelReferenceManager.reset()
    wrong = manager_for(apikey="not-the-key")
    with pytest.raises(AuthError) as refused:
        wrong.get_pending_model_reference("image_generation")
    assert (refused.value.status, refused.value.detail) == (401, "Invalid API key")
    ModelReferenceManager.reset()
    with pytest.raises(AuthError, match="needs an API key"):
        manager_for().get_pending_model_reference("image_generation")


def test_metadata_and_last_updated(fake, manager_for):
    manager = manager_for()
    meta = manager.get_metadata("controlnet")
    assert (meta.category, meta.last_updated, meta.total_creates) == (
        "controlnet",
        fake.metadata["controlnet"]["last_updated"],
        3,
    )
    assert manager.last_updated("esrgan") == fake.metadata["esrgan"]["last_updated"]
    assert asyncio.run(manager.last_updated_async("esrgan")) == fake.metadata["esrgan"]["last_updated"]
    assert asyncio.run(manager.get_metadata_async("controlnet")) == meta
    fake.fail_status = 503  # a server that keeps no metadata (a REPLICA)
    assert manager.get_metadata("controlnet") is None
    assert manager.last_updated("controlnet") is None


def test_one_instance_per_configuration(fake, tmp_path):
    assert not ModelReferenceManager.has_instance()
    with pytest.raises(RuntimeError, match="has not been created yet"):
        ModelReferenceManager.get_instance()
    first = ModelReferenceManager(fake.url, cache_dir=tmp_path, ttl=30)
    assert ModelReferenceManager(fake.url, cache_dir=tmp_path, ttl=30) is first
    assert ModelReferenceManager.get_instance() is first and ModelReferenceManager.has_instance()
    with pytest.raises(RuntimeError, match=r"other settings \(ttl, strict differ\)"):
        ModelReferenceManager(fake.url, cache_dir=tmp_path, ttl=60, strict=True)
    with pytest.raises(RuntimeError, match=r"\(apikey differ\)") as refused:
        ModelReferenceManager(fake.url, cache_dir=tmp_path, ttl=30, apikey="secret-key")
    assert "secret-key" not in str(refused.value)
    ModelReferenceManager.reset()
    second = ModelReferenceManager(fake.url, cache_dir=tmp_path, ttl=60)
    assert second is not first and second.get_model_names("esrgan") == ["RealESRGAN_x4plus"]


def test_a_freshly_constructed_manager_has_the_replaced_librarys_keyword(fake, tmp_path):
    manager = ModelReferenceManager(fake.url, cache_dir=tmp_path, prefetch_strategy="sync")
    assert manager.prefetch_strategy == "sync" and manager.is_warm
    with pytest.raises(TypeError, match="not both"):
        ModelReferenceManager(fake.url, prefetch="lazy", prefetch_strategy="lazy")

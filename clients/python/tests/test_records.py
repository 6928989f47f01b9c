"""Typed records: unknown keys kept by default and refused in strict mode, nulls where the server
sends them, invalid records skipped (tolerant) or refused (strict), frozen shared objects."""

from __future__ import annotations

import logging

import pydantic
import pytest
from hmr_client import (
    ImageGenerationModelRecord,
    ModelNotFound,
    ModelReferenceManager,
    StrictModeError,
    TextGenerationModelRecord,
)


def with_new_fields(fake):
    """What a newer server might send: a new top-level field and a new key in a download entry."""
    record = fake.documents["image_generation"]["Deliberate"]
    download = {**record["config"]["download"][0], "mirror_url": "https://mirror.example/deliberate"}
    fake.change(
        "image_generation",
        "Deliberate",
        license="creativeml-openrail-m",
        config={**record["config"], "download": [download]},
    )


def test_unknown_keys_never_break_a_tolerant_reader_and_are_kept(fake, manager_for):
    with_new_fields(fake)
    record = manager_for().get_model("image_generation", "Deliberate")
    assert record.model_extra == {"license": "creativeml-openrail-m"}
    assert record.config.download[0].model_extra == {"mirror_url": "https://mirror.example/deliberate"}
    assert (
        record.model_dump(mode="json", by_alias=True, exclude_unset=True)
        == (fake.documents["image_generation"]["Deliberate"])
    )


def test_strict_mode_refuses_a_document_with_an_unknown_key(fake, manager_for):
    with_new_fields(fake)
    strict = manager_for(strict=True)
    with pytest.raises(StrictModeError) as refused:
        strict.get_model_reference("image_generation")
    assert refused.value.problems == ["unknown key 'license'", "unknown key 'config.download[0].mirror_url'"]
    assert str(refused.value).startswith("image_generation record 'Deliberate' is refused in strict mode")
    # The other records and categories are fine in strict mode.
    assert strict.get_model("image_generation", "Juggernaut XL").baseline == "stable_diffusion_xl"
    assert set(strict.get_model_reference("text_generation")) == set(fake.documents["text_generation"])


def test_an_invalid_record_is_skipped_by_a_tolerant_reader_and_refused_by_a_strict_one(
    fake, manager_for, caplog
):
    broken = dict(fake.documents["image_generation"]["Deliberate"])
    del broken["baseline"]  # required on image records
    fake.documents["image_generation"] = {**fake.documents["image_generation"], "Deliberate": broken}
    manager = manager_for()
    with caplog.at_level(logging.WARNING, logger="hmr_client"):
        reference = manager.get_model_reference("image_generation")
    assert list(reference) == [n for n in fake.documents["image_generation"] if n != "Deliberate"]
    assert "skipping the invalid image_generation record 'Deliberate'" in caplog.text
    with pytest.raises(ModelNotFound, match=r"Deliberate.*invalid record"):
        manager.get_model("image_generation", "Deliberate")
    assert manager.get_model_or_none("image_generation", "Deliberate") is None
    assert manager.get_raw_model_json("image_generation", "Deliberate") == broken  # raw stays raw
    ModelReferenceManager.reset()
    with pytest.raises(StrictModeError, match="baseline: Field required"):
        manager_for(strict=True).get_model_reference("image_generation")


def test_nullable_lists_and_defaults(fake, manager_for):
    fake.change("image_generation", "Deliberate", tags=None, trigger=None)
    record = manager_for().get_model("image_generation", "Deliberate")
    assert (record.tags, record.trigger, record.showcases, record.size_on_disk_bytes) == ([], [], [], None)
    # Records built in code get each category's defaults.
    built = ImageGenerationModelRecord(name="Mine", baseline="flux_1", nsfw=False)
    assert (built.record_type, built.model_classification.domain, built.model_classification.purpose) == (
        "image_generation",
        "image",
        "generation",
    )
    text = TextGenerationModelRecord(name="a/b", parameters_count=7)  # by field name or by alias
    assert text.parameters_count == TextGenerationModelRecord(name="a/b", parameters=7).parameters_count == 7
    assert text.model_dump(by_alias=True)["parameters"] == 7


def test_records_are_frozen_so_the_shared_cache_cannot_be_edited(fake, manager_for):
    record = manager_for().get_model("image_generation", "Deliberate")
    with pytest.raises(pydantic.ValidationError):
        record.nsfw = True
    edited = record.model_copy(update={"nsfw": True})
    assert edited.nsfw and not manager_for().get_model("image_generation", "Deliberate").nsfw

"""legacy record <-> record data: lossless for every real record, sensible after an edit."""

import json

import pytest

from apps.catalog.categories import Category, category_by_legacy_file
from apps.catalog.formats.legacy import (
    LegacyFormatError,
    check_written_record,
    data_from_legacy,
    legacy_from_data,
    legacy_key,
)
from apps.catalog.formats.v2 import LEGACY_KEY

IMAGE_FILES = [
    "blip",
    "clip",
    "codeformer",
    "controlnet",
    "esrgan",
    "gfpgan",
    "miscellaneous",
    "safety_checker",
    "stable_diffusion",
]


def load(legacy_dir, stem):
    return json.loads((legacy_dir / "image" / f"{stem}.json").read_text())


def ordered(value):
    return json.dumps(value)  # key order is part of what must survive


@pytest.mark.parametrize("stem", IMAGE_FILES)
def test_every_real_record_converts_back_unchanged(legacy_dir, stem):
    category = category_by_legacy_file(f"{stem}.json").category
    records = load(legacy_dir, stem)
    for key, record in records.items():
        data = data_from_legacy(category, key, record)
        assert ordered(legacy_from_data(category, data)) == ordered(record), key
        assert legacy_key(data) == key


def test_image_record_data_is_the_v2_view(legacy_dir):
    record = load(legacy_dir, "stable_diffusion")["stable_diffusion_2.1"]
    data = data_from_legacy(Category.IMAGE_GENERATION, "stable_diffusion_2.1", record)
    v2_part = {k: v for k, v in data.items() if k != LEGACY_KEY}
    assert v2_part == {
        "name": "stable_diffusion_2.1",
        "description": "Generalist AI image generating model. The baseline for all finetuned models.",
        "version": "2.1",
        "config": {
            "download": [
                {
                    "file_name": "model_2_1.ckpt",
                    "file_url": "https://huggingface.co/mirroring/horde_models/resolve/main/model_2_1.ckpt?download=true",
                    "sha256sum": "ad2a33c361c1f593c4a1fb32ea81afce2b5bb7d1983c6b94793a26a3b54b08a0",
                    "known_slow_download": False,
                }
            ]
        },
        "size_on_disk_bytes": 5214865159,
        "inpainting": False,
        "baseline": "stable_diffusion_2_768",
        "tags": [],
        "showcases": record["showcases"],
        "trigger": [],
        "nsfw": False,
        "style": "generalist",
    }
    assert data[LEGACY_KEY]["extra"] == {"type": "ckpt", "download_all": True, "available": False}


def test_a_key_that_differs_from_the_name_is_kept(legacy_dir):
    record = load(legacy_dir, "controlnet")["control_qr_sdxl"]
    data = data_from_legacy(Category.CONTROLNET, "control_qr_sdxl", record)
    assert (data["name"], data["controlnet_style"], legacy_key(data)) == (
        "control_qr_xl",
        "control_qr_xl",
        "control_qr_sdxl",
    )


def test_changing_the_hash_keeps_the_yaml_entry_and_drops_the_stale_md5(legacy_dir):
    record = load(legacy_dir, "stable_diffusion")["stable_diffusion_2.1"]
    data = data_from_legacy(Category.IMAGE_GENERATION, "stable_diffusion_2.1", record)
    data["config"]["download"][0]["sha256sum"] = "A" * 64
    out = legacy_from_data(Category.IMAGE_GENERATION, data)
    assert out["config"]["files"] == [
        {"path": "model_2_1.ckpt", "sha256sum": "A" * 64},
        {"path": "v2-inference-v.yaml"},
    ]
    assert list(out) == list(record)  # the rest of the record keeps its shape


def test_changing_the_baseline_maps_it_to_its_legacy_spelling(legacy_dir):
    record = load(legacy_dir, "stable_diffusion")["stable_diffusion_2.1"]
    data = data_from_legacy(Category.IMAGE_GENERATION, "stable_diffusion_2.1", record)
    data["baseline"] = "stable_diffusion_1"
    assert legacy_from_data(Category.IMAGE_GENERATION, data)["baseline"] == "stable diffusion 1"
    data["baseline"] = "stable_diffusion_xl"
    assert legacy_from_data(Category.IMAGE_GENERATION, data)["baseline"] == "stable_diffusion_xl"


def test_adding_tags_to_a_record_without_them_slots_them_in_canonical_order(legacy_dir):
    record = load(legacy_dir, "stable_diffusion")["stable_diffusion_2.1"]
    assert "tags" not in record
    data = data_from_legacy(Category.IMAGE_GENERATION, "stable_diffusion_2.1", record)
    data["tags"] = ["generalist"]
    out = legacy_from_data(Category.IMAGE_GENERATION, data)
    keys = list(out)
    assert out["tags"] == ["generalist"]
    assert keys.index("description") + 1 == keys.index("tags") == keys.index("showcases") - 1


def test_a_second_download_becomes_a_new_file_and_download_entry(legacy_dir):
    record = load(legacy_dir, "stable_diffusion")["stable_diffusion_2.1"]
    data = data_from_legacy(Category.IMAGE_GENERATION, "stable_diffusion_2.1", record)
    data["config"]["download"].append(
        {
            "file_name": "vae.pt",
            "file_url": "https://example.org/vae.pt",
            "sha256sum": "FIXME",
            "file_purpose": "vae",
        }
    )
    config = legacy_from_data(Category.IMAGE_GENERATION, data)["config"]
    assert config["files"][-1] == {"path": "vae.pt", "file_type": "vae"}
    assert config["download"][-1] == {
        "file_name": "vae.pt",
        "file_path": "",
        "file_url": "https://example.org/vae.pt",
    }


def test_a_record_born_in_v2_gets_the_legacy_shape_workers_expect():
    data = {
        "name": "New Model",
        "version": "1",
        "config": {
            "download": [
                {
                    "file_name": "new.safetensors",
                    "file_url": "https://huggingface.co/x/new.safetensors",
                    "sha256sum": "ab" * 32,
                }
            ]
        },
        "inpainting": False,
        "baseline": "stable_diffusion_1",
        "tags": [],
        "showcases": [],
        "trigger": [],
        "nsfw": True,
        "style": "anime",
    }
    assert ordered(legacy_from_data(Category.IMAGE_GENERATION, data)) == ordered(
        {
            "name": "New Model",
            "baseline": "stable diffusion 1",
            "type": "ckpt",
            "inpainting": False,
            "tags": [],
            "showcases": [],
            "version": "1",
            "style": "anime",
            "trigger": [],
            "nsfw": True,
            "download_all": False,
            "config": {
                "files": [{"path": "new.safetensors", "sha256sum": "ab" * 32}],
                "download": [
                    {
                        "file_name": "new.safetensors",
                        "file_path": "",
                        "file_url": "https://huggingface.co/x/new.safetensors",
                    }
                ],
            },
        }
    )


@pytest.mark.parametrize(
    ("category", "record", "field", "message"),
    [
        (Category.BLIP, {"type": "blip"}, "name", "the record has no name"),
        (Category.BLIP, ["not", "an", "object"], "(record)", "must be a JSON object"),
        (Category.IMAGE_GENERATION, {"name": "x"}, "baseline", "needs a baseline"),
        (Category.IMAGE_GENERATION, {"name": "x", "baseline": 2}, "baseline", "needs a baseline"),
        (Category.CLIP, {"name": " "}, "name", "the record has no name"),
    ],
)
def test_unreadable_records_name_the_key_and_field(category, record, field, message):
    with pytest.raises(LegacyFormatError, match=message) as caught:
        data_from_legacy(category, "the-key", record)
    assert (caught.value.key, caught.value.field) == ("the-key", field)


@pytest.mark.parametrize(
    ("record", "field", "message"),
    [
        ({"name": "x", "baseline": "b", "version": 1}, "version", "expected a string, got int"),
        ({"name": "x", "baseline": "b", "nsfw": "true"}, "nsfw", "expected a boolean, got str"),
        ({"name": "x", "baseline": "b", "tags": "a,b"}, "tags", "expected a list of strings"),
        (
            {"name": "x", "baseline": "b", "size_on_disk_bytes": "7"},
            "size_on_disk_bytes",
            "expected an integer",
        ),
    ],
)
def test_a_record_written_through_v1_must_have_v2s_types(record, field, message):
    data_from_legacy(Category.IMAGE_GENERATION, "x", record)  # an import keeps such a value raw
    with pytest.raises(LegacyFormatError, match=message) as caught:
        check_written_record(Category.IMAGE_GENERATION, "x", record)
    assert caught.value.field == field

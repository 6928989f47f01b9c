"""v2 validation (upstream's 422 shapes and messages) and the v2 record shape."""

import json

import pytest

from apps.catalog.categories import Category
from apps.catalog.formats.v2 import RecordMeta, V2ValidationError, render_record, validate_record


def errors_of(category, payload):
    with pytest.raises(V2ValidationError) as caught:
        validate_record(category, payload)
    return caught.value.errors


def test_missing_required_fields_are_listed_with_their_location():
    errors = errors_of(Category.IMAGE_GENERATION, {"name": "x"})
    assert [(e["type"], e["loc"], e["msg"]) for e in errors] == [
        ("missing", ["body", "baseline"], "Field required"),
        ("missing", ["body", "nsfw"], "Field required"),
    ]


def test_unknown_baseline_and_style_are_refused_with_upstreams_messages():
    errors = errors_of(
        Category.IMAGE_GENERATION,
        {"name": "x", "baseline": "stable diffusion 2", "nsfw": False, "style": "cubist"},
    )
    assert [e["msg"] for e in errors] == [
        "Value error, Unknown baseline: stable diffusion 2",
        "Value error, Unknown style: cubist",
    ]


def test_wrong_types_are_reported_per_field():
    errors = errors_of(Category.TEXT_GENERATION, {"name": 3, "parameters": "many", "tags": "a", "nsfw": "no"})
    assert [(e["loc"], e["msg"]) for e in errors] == [
        (["body", "name"], "Input should be a valid string"),
        (["body", "parameters"], "Input should be a valid integer"),
        (["body", "nsfw"], "Input should be a valid boolean"),
        (["body", "tags"], "Input should be a valid list"),
    ]


def test_text_parameters_must_be_positive():
    assert errors_of(Category.TEXT_GENERATION, {"name": "a/b", "parameters": 0})[0]["msg"] == (
        "Input should be greater than 0"
    )


def test_a_record_type_of_another_category_is_refused():
    assert errors_of(Category.BLIP, {"record_type": "controlnet", "name": "x"})[0]["loc"] == [
        "body",
        "record_type",
    ]


def test_defaults_are_filled_nulls_dropped_unknown_keys_ignored_and_tags_stripped():
    data = validate_record(
        Category.IMAGE_GENERATION,
        {
            "nsfw": False,
            "name": "x",
            "baseline": "SDXL",
            "tags": [" anime "],
            "trigger": None,
            "homepage": None,
            "unknown": 1,
            "metadata": {"created_at": 5},
            "config": {"download": [{"file_name": "a", "file_url": "u"}]},
        },
    )
    assert json.dumps(data) == json.dumps(
        {
            "name": "x",
            "config": {"download": [{"file_name": "a", "file_url": "u", "sha256sum": "FIXME"}]},
            "inpainting": False,
            "baseline": "SDXL",
            "tags": ["anime"],
            "showcases": [],
            "trigger": [],
            "nsfw": False,
        }
    )


def test_rendered_record_has_upstreams_envelope_and_field_order():
    data = validate_record(
        Category.TEXT_GENERATION, {"name": "a/b", "parameters": 7_000_000_000, "style": "chat"}
    )
    record = render_record(Category.TEXT_GENERATION, data, RecordMeta(created_at=10, updated_at=20))
    assert json.dumps(record) == json.dumps(
        {
            "record_type": "text_generation",
            "name": "a/b",
            "metadata": {"schema_version": "2.0.0", "created_at": 10, "updated_at": 20},
            "config": {"download": []},
            "model_classification": {"domain": "text", "purpose": "generation"},
            "parameters": 7_000_000_000,
            "nsfw": False,
            "style": "chat",
        }
    )

"""v2 search: filters, sorting, paging, the SearchResponse envelope and upstream's errors."""

import pytest

from apps.catalog.models import ModelRecord, RecordTag

pytestmark = pytest.mark.django_db
V2 = "/api/model_references/v2"


def search(client, path="image_generation/search", **params):
    response = client.get(f"{V2}/{path}", params)
    assert response.status_code == 200, response.content
    return response.json()


def names(body):
    return [r["name"] for r in body["results"]]


def test_envelope_paging_and_has_more(imported, client):
    first = search(client, limit=2)
    assert set(first) == {"results", "total", "offset", "limit", "has_more"}
    assert (first["total"], first["offset"], first["limit"], first["has_more"]) == (161, 0, 2, True)
    in_file_order = list(
        ModelRecord.objects.filter(category="image_generation")
        .order_by("position")
        .values_list("name", flat=True)
    )
    assert names(first) == in_file_order[:2]
    last = search(client, limit=50, offset=150)
    assert (names(last), last["has_more"]) == (in_file_order[150:], False)


def test_filters_combine_on_typed_columns(imported, client):
    body = search(client, nsfw="true", baseline="stable_diffusion_xl", limit=500)
    expected = ModelRecord.objects.filter(
        category="image_generation", nsfw=True, baseline="stable_diffusion_xl"
    )
    assert sorted(names(body)) == sorted(expected.values_list("name", flat=True)) and body["total"] > 3
    assert all(r["nsfw"] is True and r["baseline"] == "stable_diffusion_xl" for r in body["results"])
    inpainting = search(client, inpainting="true", limit=500)
    assert inpainting["total"] == 8


def test_tag_filters(imported, client):
    tagged = set(
        RecordTag.objects.filter(record__category="text_generation", tag="roleplay").values_list(
            "record__name", flat=True
        )
    )
    any_body = search(client, "text_generation/search", tags_any=["roleplay", "nonexistent"], limit=500)
    assert set(names(any_body)) == tagged and len(tagged) > 50
    both = search(client, "text_generation/search", tags_all=["roleplay", "popular"], limit=500)
    assert all({"roleplay", "popular"} <= set(r["tags"]) for r in both["results"]) and both["total"] > 0
    none = search(client, "text_generation/search", tags_none=["roleplay"], limit=1)
    assert none["total"] == 719 - len(tagged)  # records without tags match tags_none


def test_name_contains_is_case_insensitive(imported, client):
    body = search(client, "text_generation/search", name_contains="ANTHRACITE-ORG/MAGNUM-12B")
    assert names(body) == ["anthracite-org/magnum-12b-v2"]


def test_sorting_with_nulls_last_ascending_and_first_descending(imported, client):
    ascending = search(client, sort_by="size_on_disk_bytes", limit=500)
    sizes = [r.get("size_on_disk_bytes") for r in ascending["results"]]
    assert sizes[-1] is None and sizes[:-1] == sorted(sizes[:-1])
    descending = search(client, sort_by="size_on_disk_bytes", sort_desc="true", limit=2)
    assert descending["results"][0].get("size_on_disk_bytes") is None
    biggest = search(client, "text_generation/search", sort_by="parameters", sort_desc="true", limit=1)
    top = (
        ModelRecord.objects.filter(category="text_generation")
        .order_by("-parameters_count", "position")
        .first()
    )
    assert names(biggest) == [top.name]
    nested = search(client, sort_by="metadata__created_at", limit=1)
    assert nested["total"] == 161


def test_text_backend_quantized_and_source(imported, client):
    kobold = search(
        client, "text_generation/search", name_contains="anthracite-org/magnum-12b", backend="koboldcpp"
    )
    assert names(kobold) == ["koboldcpp/magnum-12b-v2"]
    aphrodite = search(
        client, "text_generation/search", name_contains="anthracite-org/magnum-12b", backend="aphrodite"
    )
    assert names(aphrodite) == ["aphrodite/anthracite-org/magnum-12b-v2"]
    quantized = search(client, "text_generation/search", quantized="true", limit=500)
    assert quantized["total"] > 0
    assert all(
        any(
            q in r["name"].upper()
            for q in (
                "GGUF",
                "GPTQ",
                "AWQ",
                "EXL2",
                "Q4",
                "Q5",
                "Q6",
                "Q8",
                "FP16",
                "INT4",
                "INT8",
                "Q2",
                "Q3",
                "GGML",
                "FP32",
            )
        )
        for r in quantized["results"]
    )
    plain = search(client, "text_generation/search", quantized="false", limit=1)
    assert plain["total"] + quantized["total"] == 719
    assert search(client, "text_generation/search", source="any", limit=1)["total"] == 719


def test_search_across_all_categories(imported, client):
    body = search(client, "search", name_contains="x4plus", limit=10)
    assert {(r["record_type"], r["name"]) for r in body["results"]} == {
        ("esrgan", "RealESRGAN_x4plus"),
        ("esrgan", "RealESRGAN_x4plus_anime_6B"),
    }
    nsfw = search(client, "search", nsfw="true", limit=1)
    assert nsfw["total"] == ModelRecord.objects.filter(nsfw=True).count()


@pytest.mark.parametrize(
    ("path", "params", "status", "detail"),
    [
        (
            "clip/search",
            {"nsfw": "true"},
            400,
            "Filter not supported for this category: Field 'nsfw' does not exist on ClipModelRecord. Valid fields: "
            "['record_type', 'name', 'description', 'version', 'finetune_series', 'metadata', 'config', "
            "'model_classification', 'size_on_disk_bytes', 'pretrained_name']",
        ),
        (
            "text_generation/search",
            {"inpainting": "false"},
            400,
            "Filter not supported for this category: Field 'inpainting' does not exist on TextGenerationModelRecord. "
            "Valid fields: ['record_type', 'name', 'description', 'version', 'finetune_series', 'metadata', 'config', "
            "'model_classification', 'size_on_disk_bytes', 'baseline', 'parameters', 'nsfw', 'style', 'display_name', "
            "'url', 'tags', 'instruct_format', 'settings', 'text_model_group', 'name_schema_exception']",
        ),
        (
            "blip/search",
            {"sort_by": "baseline"},
            400,
            "Invalid sort_by field: 'baseline'. Valid fields: ['name', 'description', 'version', 'size_on_disk_bytes', "
            "'metadata__created_at', 'metadata__updated_at', 'record_type']",
        ),
        (
            "image_generation/search",
            {"source": "civitai"},
            400,
            "Unknown source: civitai. Valid sources: ['horde', 'any']",
        ),
        (
            "nope/search",
            {},
            422,
            "Unknown category 'nope'. Valid: ['blip', 'clip', 'codeformer', 'controlnet', 'controlnet_annotator', "
            "'esrgan', 'gfpgan', 'safety_checker', 'image_generation', 'text_generation', 'video_generation', "
            "'audio_generation', 'miscellaneous', 'lora', 'ti']",
        ),
        (
            "image_generation/search",
            {"backend": "koboldcpp"},
            400,
            "Filter not supported for this category: backend applies to text_generation only",
        ),
    ],
)
def test_search_errors(imported, client, path, params, status, detail):
    response = client.get(f"{V2}/{path}", params)
    assert (response.status_code, response.json()) == (status, {"detail": detail})


@pytest.mark.parametrize(
    ("params", "error"),
    [
        (
            {"limit": "0"},
            {
                "type": "greater_than_equal",
                "loc": ["query", "limit"],
                "msg": "Input should be greater than or equal to 1",
                "input": "0",
                "ctx": {"ge": 1},
            },
        ),
        (
            {"limit": "501"},
            {
                "type": "less_than_equal",
                "loc": ["query", "limit"],
                "msg": "Input should be less than or equal to 500",
                "input": "501",
                "ctx": {"le": 500},
            },
        ),
        (
            {"offset": "-1"},
            {
                "type": "greater_than_equal",
                "loc": ["query", "offset"],
                "msg": "Input should be greater than or equal to 0",
                "input": "-1",
                "ctx": {"ge": 0},
            },
        ),
        (
            {"limit": "ten"},
            {
                "type": "int_parsing",
                "loc": ["query", "limit"],
                "msg": "Input should be a valid integer, unable to parse string as an integer",
                "input": "ten",
            },
        ),
        (
            {"nsfw": "perhaps"},
            {
                "type": "bool_parsing",
                "loc": ["query", "nsfw"],
                "msg": "Input should be a valid boolean, unable to interpret input",
                "input": "perhaps",
            },
        ),
        (
            {"backend": "vllm"},
            {
                "type": "literal_error",
                "loc": ["query", "backend"],
                "msg": "Input should be 'aphrodite' or 'koboldcpp'",
                "input": "vllm",
            },
        ),
    ],
)
def test_search_parameter_bounds_are_422(imported, client, params, error):
    response = client.get(f"{V2}/text_generation/search", params)
    assert (response.status_code, response.json()) == (422, {"detail": [error]})

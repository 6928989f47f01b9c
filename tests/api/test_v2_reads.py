"""v2 reads: category documents, single records (names with "/"), info and categories."""

import json

import pytest

from apps.catalog.categories import Category
from apps.catalog.formats.bundle import ParsedCategory, ParsedRecord
from apps.catalog.formats.v2 import validate_record
from apps.catalog.models import ModelRecord
from apps.catalog.services import catalog_import
from tests.api.golden import assert_golden
from tests.expected import V2_CATEGORIES

pytestmark = pytest.mark.django_db
V2 = "/api/model_references/v2"

ONE_RECORD_PER_CATEGORY = {
    "blip": "BLIP",
    "clip": "coca_ViT-L-14",
    "codeformer": "CodeFormers",
    "controlnet": "control_qr_xl",
    "esrgan": "RealESRGAN_x4plus",
    "gfpgan": "GFPGAN",
    "safety_checker": "safety_checker",
    "image_generation": "AlbedoBase XL (SDXL)",
    "text_generation": "anthracite-org/magnum-12b-v2",
    "miscellaneous": "layer_diffuse_sd15",
}


@pytest.mark.parametrize(("category", "name"), ONE_RECORD_PER_CATEGORY.items())
def test_one_record_of_each_category_matches_its_golden_file(imported, client, category, name):
    single = client.get(f"{V2}/{category}/model/{name}")
    assert single.status_code == 200
    assert_golden(f"v2/{category}.json", single.json())
    document = client.get(f"{V2}/{category}").json()
    assert json.dumps(document[name]) == json.dumps(single.json())  # same record, same key order


def test_category_document_has_every_record_in_file_order(imported, client):
    document = client.get(f"{V2}/image_generation").json()
    names = list(
        ModelRecord.objects.filter(category="image_generation")
        .order_by("position")
        .values_list("name", flat=True)
    )
    assert list(document) == names and len(names) == 161
    assert all(record["record_type"] == "image_generation" for record in document.values())


def test_empty_categories_answer_an_empty_object_and_lora_ti_are_not_found(imported, client):
    for category in ("video_generation", "audio_generation", "controlnet_annotator"):
        response = client.get(f"{V2}/{category}")
        assert (response.status_code, response.content) == (200, b"{}")
    for category in ("lora", "ti"):
        response = client.get(f"{V2}/{category}")
        assert (response.status_code, response.json()) == (
            404,
            {"detail": f"Model category '{category}' not found"},
        )


def test_a_name_with_slashes_is_reachable(imported, client):
    response = client.get(f"{V2}/text_generation/model/anthracite-org/magnum-12b-v2")
    assert response.json()["name"] == "anthracite-org/magnum-12b-v2"
    encoded = client.get(f"{V2}/text_generation/model/anthracite-org%2Fmagnum-12b-v2")
    assert encoded.json() == response.json()


def test_a_model_named_search_is_reachable(imported, client, import_actor):
    existing = [
        ParsedRecord(r.name, r.data, r.legacy_layout) for r in ModelRecord.objects.filter(category="blip")
    ]
    searchable = ParsedRecord("search", validate_record(Category.BLIP, {"name": "search"}))
    catalog_import(
        parsed=[ParsedCategory(Category.BLIP, "blip.json", None, [*existing, searchable])], actor=import_actor
    )
    response = client.get(f"{V2}/blip/model/search")
    assert response.status_code == 200 and response.json()["name"] == "search"


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        ("image_generation/model/Nope", "Model 'Nope' not found in category 'image_generation'"),
        ("text_generation/model/a/b/c", "Model 'a/b/c' not found in category 'text_generation'"),
    ],
)
def test_missing_records_are_404(imported, client, path, detail):
    response = client.get(f"{V2}/{path}")
    assert (response.status_code, response.json()) == (404, {"detail": detail})


def test_an_unknown_category_is_a_422_in_fastapis_enum_shape(client):
    expected_list = (
        "'blip', 'clip', 'codeformer', 'controlnet', 'controlnet_annotator', 'esrgan', 'gfpgan', "
        "'safety_checker', 'image_generation', 'text_generation', 'video_generation', "
        "'audio_generation', 'miscellaneous', 'lora' or 'ti'"
    )
    for path in ("stable_diffusion", "nope/model/x"):
        response = client.get(f"{V2}/{path}")
        assert response.status_code == 422
        assert response.json() == {
            "detail": [
                {
                    "type": "enum",
                    "loc": ["path", "model_category_name"],
                    "msg": f"Input should be {expected_list}",
                    "input": path.split("/")[0],
                    "ctx": {"expected": expected_list},
                }
            ]
        }


def test_info_and_categories(client):
    assert client.get(f"{V2}/info").json() == {
        "message": (
            "Get information about the v2 model reference API. This is the v2 model reference API, which uses the new "
            "format established by horde_model_reference."
        )
    }
    assert client.get(f"{V2}/model_categories").json() == V2_CATEGORIES

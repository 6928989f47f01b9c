"""v1 reads: the legacy files, byte for byte, with upstream's aliases and messages."""

import pytest

from tests.expected import ALL_CATEGORIES

pytestmark = pytest.mark.django_db
V1 = "/api/model_references/v1"

LEGACY_FILES = {
    "blip": "image/blip.json",
    "clip": "image/clip.json",
    "codeformer": "image/codeformer.json",
    "controlnet": "image/controlnet.json",
    "esrgan": "image/esrgan.json",
    "gfpgan": "image/gfpgan.json",
    "miscellaneous": "image/miscellaneous.json",
    "safety_checker": "image/safety_checker.json",
    "image_generation": "image/stable_diffusion.json",
    "stable_diffusion": "image/stable_diffusion.json",
    "stable_diffusion.json": "image/stable_diffusion.json",
    "controlnet.json": "image/controlnet.json",
    "text_generation": "text/db.json",
    "db.json": "text/db.json",
    "text_generation?include_group=false": "text/db.json",
}


@pytest.mark.parametrize(("path", "relative"), LEGACY_FILES.items())
def test_every_v1_category_answers_the_legacy_file_bytes(imported, client, legacy_dir, path, relative):
    response = client.get(f"{V1}/{path}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content == (legacy_dir / relative).read_bytes()


@pytest.mark.parametrize("category", ["lora", "ti", "lora.json"])
def test_lora_and_ti_answer_an_empty_object(imported, client, category):
    response = client.get(f"{V1}/{category}")
    assert (response.status_code, response.content) == (200, b"{}")


@pytest.mark.parametrize(
    ("path", "status", "detail"),
    [
        ("nope", 422, "Invalid model category: 'nope'. 'nope' is not a valid MODEL_REFERENCE_CATEGORY"),
        ("nope.json", 422, "Invalid model category: 'nope'. 'nope' is not a valid MODEL_REFERENCE_CATEGORY"),
        ("video_generation", 404, "Model category 'video_generation' not found or is empty"),
        ("controlnet_annotator", 404, "Model category 'controlnet_annotator' not found or is empty"),
    ],
)
def test_v1_errors(imported, client, path, status, detail):
    response = client.get(f"{V1}/{path}")
    assert (response.status_code, response.json()) == (status, {"detail": detail})


def test_empty_categories_are_404_and_an_empty_text_category_says_so(db, client):
    assert client.get(f"{V1}/stable_diffusion").json() == {
        "detail": "Model category 'image_generation' not found or is empty"
    }
    response = client.get(f"{V1}/text_generation")
    assert (response.status_code, response.json()) == (
        404,
        {"detail": "Text generation models not found or empty"},
    )


def test_bad_include_group_value_is_a_422(imported, client):
    response = client.get(f"{V1}/text_generation", {"include_group": "maybe"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "bool_parsing",
                "loc": ["query", "include_group"],
                "msg": "Input should be a valid boolean, unable to interpret input",
                "input": "maybe",
            }
        ]
    }


def test_info_and_categories(client):
    assert client.get(f"{V1}/info").json() == {
        "message": (
            "Get information about the legacy model reference API. This is the legacy model reference API, which uses "
            "the format originally found at the github repositories: - "
            "https://github.com/Haidra-Org/AI-Horde-image-model-reference - "
            "https://github.com/Haidra-Org/AI-Horde-text-model-reference"
        )
    }
    assert client.get(f"{V1}/model_categories").json() == ALL_CATEGORIES

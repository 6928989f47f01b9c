"""The OpenAPI document: every read route, and record components shaped like upstream's records."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_paths(schema):
    paths = set(schema["paths"])
    v2 = "/api/model_references/v2"
    expected = {
        "/api/",
        "/api/heartbeat",
        "/api/replicate_mode",
        "/api/model_references/v1/info",
        "/api/model_references/v1/model_categories",
        "/api/model_references/v1/{category}",
        "/api/model_references/v1/metadata/last_updated",
        f"{v2}/info",
        f"{v2}/model_categories",
        f"{v2}/search",
        f"{v2}/metadata/last_updated",
        f"{v2}/metadata/metadata",
        f"{v2}/metadata/{{category}}",
        f"{v2}/metadata/{{category}}/last_updated",
        f"{v2}/image_generation",
        f"{v2}/image_generation/model/{{name}}",
        f"{v2}/image_generation/search",
        f"{v2}/text_generation",
        f"{v2}/text_generation/model/{{name}}",
        f"{v2}/controlnet/search",
    }
    assert expected <= paths, expected - paths
    assert schema["openapi"].startswith("3.")


def test_typed_routes_reference_their_record_component(schema):
    v2 = "/api/model_references/v2"
    model = schema["paths"][f"{v2}/image_generation/model/{{name}}"]["get"]["responses"]["200"]
    assert model["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ImageGenerationModelRecord"
    }
    document = schema["paths"][f"{v2}/text_generation"]["get"]["responses"]["200"]
    assert document["content"]["application/json"]["schema"] == {
        "type": "object",
        "additionalProperties": {"$ref": "#/components/schemas/TextGenerationModelRecord"},
    }


def test_record_components_have_upstreams_fields(schema):
    components = schema["components"]["schemas"]
    image = components["ImageGenerationModelRecord"]
    assert list(image["properties"]) == [
        "record_type",
        "name",
        "description",
        "version",
        "finetune_series",
        "metadata",
        "config",
        "model_classification",
        "size_on_disk_bytes",
        "inpainting",
        "baseline",
        "optimization",
        "tags",
        "showcases",
        "min_bridge_version",
        "trigger",
        "homepage",
        "nsfw",
        "style",
        "requirements",
    ]
    assert set(image["required"]) == {"name", "baseline", "nsfw"}
    text = components["TextGenerationModelRecord"]
    assert set(text["required"]) == {"name", "parameters"}
    assert text["properties"]["parameters"]["type"] == "integer"
    assert text["properties"]["settings"]["type"] == "object"
    assert components["ControlNetModelRecord"]["properties"]["controlnet_style"]["type"] == "string"
    assert "pretrained_name" in components["ClipModelRecord"]["properties"]
    download = components["DownloadRecord"]
    assert list(download["properties"]) == [
        "file_name",
        "file_url",
        "sha256sum",
        "content_hash",
        "file_purpose",
        "known_slow_download",
        "size_bytes",
    ]
    assert set(download["required"]) == {"file_name", "file_url"}
    assert components["GenericModelRecordConfig"]["properties"]["download"]["items"] == {
        "$ref": "#/components/schemas/DownloadRecord"
    }
    assert set(components["SearchResponse"]["properties"]) == {
        "results",
        "total",
        "offset",
        "limit",
        "has_more",
    }


def test_swagger_ui_is_served_without_a_cdn(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    body = page.content.decode()
    assert "/api/openapi.json" in body and "cdn.jsdelivr.net" not in body


def test_writes_and_the_queue_are_documented(schema):
    v2 = "/api/model_references/v2"
    create = schema["paths"][f"{v2}/image_generation"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ImageGenerationModelRecord"
    }
    assert create["responses"]["202"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PendingChangeRecord"
    }
    assert set(create["responses"]) == {"202", "400", "401", "403", "404", "409", "422", "429", "503"}
    update = schema["paths"][f"{v2}/text_generation/model/{{name}}"]["put"]
    assert update["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/TextGenerationModelRecord"
    }
    for prefix in ("v1", "v2"):
        for route in (
            "changes",
            "my_changes",
            "changes/{change_id}",
            "changes/{change_id}/diff",
            "changes/{change_id}/apply",
            "diffs",
            "batches",
            "apply",
            "apply_batch/{batch_id}",
            "purge",
            "audit/current",
            "audit/batches",
            "audit/batches/{batch_id}",
            "audit/batches/{batch_id}/net_changes",
        ):
            assert f"/api/model_references/{prefix}/pending_queue/{route}" in schema["paths"], (prefix, route)
    record = schema["components"]["schemas"]["PendingChangeRecord"]["properties"]
    assert {"change_id", "status", "base_version", "batch_id", "applied_job_id"} <= set(record)
    apply_body = schema["components"]["schemas"]["ApplyRequest"]
    assert set(apply_body["properties"]) == {"change_ids", "job_id", "allow_mixed_batch"}

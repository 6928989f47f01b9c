"""`GET /api/model_references/v2/{category}/model/{name}/downloads`: the latest check per URL.
Names with "/" work; a record literally named "<x>/downloads" keeps its reads and writes."""

from __future__ import annotations

import pytest

from apps.audit.services import Actor
from apps.catalog.categories import Category
from apps.moderation import services as moderation
from apps.verification import selectors
from tests.moderation.conftest import V2, image_payload
from tests.moderation.desk import BY_APPROVER, approve_ids, record
from tests.verification.helpers import check

pytestmark = pytest.mark.django_db


def downloads_of(client, category, name):
    return client.get(f"{V2}/{category}/model/{name}/downloads")


def test_a_checked_record(catalog, client, files):
    realism = record("Demo Realism")
    [spec] = selectors.catalog_specs(record_ids=[realism.pk])[realism.pk]
    files.huggingface_url(spec.url, size=spec.expected_size, sha256=spec.expected_sha256)
    [done] = check(spec)
    response = downloads_of(client, "image_generation", "Demo Realism")
    assert response.status_code == 200
    assert response.json() == {
        "category": "image_generation",
        "name": "Demo Realism",
        "downloads": [
            {
                "file_name": "demo_realism.safetensors",
                "file_url": spec.url,
                "expected_sha256": spec.expected_sha256,
                "expected_size_bytes": realism.size_on_disk_bytes,
                "state": "ok",
                "outcome": "ok",
                "reason": f"200 OK, SHA-256 matches (X-Linked-Etag), size matches ({realism.size_on_disk_bytes:,} bytes)",
                "checked_at": "2026-01-02T03:04:05Z",
                "http_status": 200,
                "final_url": done.final_url,
                "remote_size_bytes": realism.size_on_disk_bytes,
                "remote_sha256": spec.expected_sha256,
                "hash_source": "X-Linked-Etag",
                "check_requested_at": None,
            }
        ],
    }
    assert response["ETag"]
    assert (
        client.get(
            f"{V2}/image_generation/model/Demo Realism/downloads", HTTP_IF_NONE_MATCH=response["ETag"]
        ).status_code
        == 304
    )
    # The record itself gains no keys.
    assert "downloads" not in client.get(f"{V2}/image_generation/model/Demo Realism").json()


def test_an_unchecked_record_and_names_with_a_slash(catalog, client):
    unchecked = downloads_of(client, "image_generation", "Demo Painter").json()["downloads"][0]
    assert {k: unchecked[k] for k in ("state", "outcome", "checked_at", "check_requested_at")} == {
        "state": "unchecked",
        "outcome": None,
        "checked_at": None,
        "check_requested_at": None,
    }
    text = downloads_of(client, "text_generation", "hmr-demo/Tiny-Chat-1B")
    assert (text.status_code, text.json()) == (
        200,
        {"category": "text_generation", "name": "hmr-demo/Tiny-Chat-1B", "downloads": []},
    )


@pytest.mark.parametrize(
    ("path", "status", "detail"),
    [
        (
            "image_generation/model/Nope/downloads",
            404,
            "Model 'Nope' not found in category 'image_generation'",
        ),
        ("text_generation/model/a/b/downloads", 404, "Model 'a/b' not found in category 'text_generation'"),
    ],
)
def test_unknown_models(catalog, client, path, status, detail):
    response = client.get(f"{V2}/{path}")
    assert (response.status_code, response.json()) == (status, {"detail": detail})


def test_an_unknown_category(catalog, client):
    response = client.get(f"{V2}/not_a_category/model/x/downloads")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "model_category_name"]


def test_a_record_named_like_the_route_keeps_its_url(catalog, client, requestor):
    payload = image_payload("Odd/downloads")
    change = moderation.change_enqueue(
        proposal=moderation.Proposal(Category.IMAGE_GENERATION, "create", "Odd/downloads", payload),
        actor=Actor("api-v2", "1001", "Requester#1001"),
    )
    approve_ids(change)
    moderation.changes_apply(change_ids=[change.pk], job_id=None, actor=BY_APPROVER)

    as_record = client.get(f"{V2}/image_generation/model/Odd/downloads")  # no record "Odd": the record
    assert (as_record.status_code, as_record.json()["name"]) == (200, "Odd/downloads")
    its_downloads = downloads_of(client, "image_generation", "Odd/downloads")
    assert (its_downloads.status_code, its_downloads.json()["name"]) == (200, "Odd/downloads")
    assert its_downloads.json()["downloads"][0]["file_url"] == payload["config"]["download"][0]["file_url"]

    update = requestor.put(
        f"{V2}/image_generation/model/Odd/downloads", {**payload, "description": "Still odd."}
    )
    assert (update.status_code, update.json()["model_name"], update.json()["operation"]) == (
        202,
        "Odd/downloads",
        "update",
    )
    assert (
        requestor.delete(f"{V2}/image_generation/model/Odd/downloads").json()["model_name"] == "Odd/downloads"
    )


def test_the_route_is_documented(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    operation = paths[f"{V2}/image_generation/model/{{name}}/downloads"]
    assert set(operation) == {"get"}
    assert operation["get"]["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RecordDownloads"
    }

"""Metadata endpoints: counters kept by every write, format and mode gates."""

import pytest

from tests.expected import ALL_CATEGORIES

pytestmark = pytest.mark.django_db
V2 = "/api/model_references/v2"


def test_category_metadata_after_an_import(imported, client, frozen_clock):
    stamp = int(frozen_clock.timestamp())
    assert client.get(f"{V2}/metadata/image_generation").json() == {
        "category": "image_generation",
        "last_updated": stamp,
        "last_operation_type": "create",
        "last_operation_model": "Quiet Goodnight XL",
        "total_creates": 161,
        "total_updates": 0,
        "total_deletes": 0,
        "total_models": 161,
        "initialization_time": stamp,
        "last_successful_operation": stamp,
        "error_count": 0,
        "metadata_schema_version": "1.0.0",
        "backend_type": "DatabaseBackend",
    }
    assert client.get(f"{V2}/metadata/image_generation/last_updated").json() == {
        "category": "image_generation",
        "last_updated": stamp,
    }
    assert client.get(f"{V2}/metadata/last_updated").json() == {"last_updated": stamp}
    every = client.get(f"{V2}/metadata/metadata").json()
    assert len(every) == 15 and every["text_generation"]["total_models"] == 719
    assert every["video_generation"]["total_models"] == 0


def test_metadata_is_initialised_on_first_read(db, client):
    body = client.get(f"{V2}/metadata/metadata").json()
    assert list(body) == ALL_CATEGORIES


def test_metadata_gates(db, client, settings):
    response = client.get("/api/model_references/v1/metadata/last_updated")
    assert (response.status_code, response.json()) == (
        503,
        {
            "detail": (
                "This endpoint is only available when canonical_format='legacy'. Current setting: canonical_format='v2'"
            )
        },
    )
    settings.HMR_CANONICAL_FORMAT = "legacy"
    assert client.get("/api/model_references/v1/metadata/last_updated").status_code == 200
    assert client.get(f"{V2}/metadata/last_updated").json() == {
        "detail": (
            "This endpoint is only available when canonical_format='v2'. Current setting: canonical_format='legacy'"
        )
    }
    settings.HMR_REPLICATE_MODE = "REPLICA"
    response = client.get("/api/model_references/v1/metadata/metadata")
    assert (response.status_code, response.json()) == (
        503,
        {"detail": "Metadata tracking is not supported in REPLICA mode"},
    )


def test_unknown_category_metadata_is_a_422(db, client):
    response = client.get(f"{V2}/metadata/nope")
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["path", "category"]


def test_cors_for_browser_clients(db, client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://tools.example.org"]
    allowed = client.get(f"{V2}/info", HTTP_ORIGIN="https://tools.example.org")
    assert allowed["Access-Control-Allow-Origin"] == "https://tools.example.org"
    other = client.get(f"{V2}/info", HTTP_ORIGIN="https://evil.example.org")
    assert "Access-Control-Allow-Origin" not in other
    preflight = client.options(
        f"{V2}/image_generation",
        HTTP_ORIGIN="https://tools.example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="apikey",
    )
    assert preflight.status_code == 200 and "apikey" in preflight["Access-Control-Allow-Headers"]

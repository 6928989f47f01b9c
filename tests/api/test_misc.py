"""The service-level endpoints and the error envelope of unknown routes."""

import pytest


@pytest.mark.django_db
def test_welcome_heartbeat_and_mode(client, settings):
    assert client.get("/api/").json() == {
        "message": "Welcome to the Horde Model Reference API. See `/api/docs` for interactive documentation."
    }
    assert client.get("/api/heartbeat").json() == {
        "status": "ok",
        "ai_horde": {
            "degraded": False,
            "consecutive_failures": 0,
            "seconds_until_retry": None,
            "last_success": None,
        },
    }
    assert client.get("/api/replicate_mode").json() == {
        "replicate_mode": "PRIMARY",
        "canonical_format": "v2",
        "writable": True,
    }
    settings.HMR_REPLICATE_MODE = "REPLICA"
    assert client.get("/api/replicate_mode").json() == {
        "replicate_mode": "REPLICA",
        "canonical_format": "v2",
        "writable": False,
    }


@pytest.mark.django_db
def test_an_unknown_api_route_answers_json_404(client):
    response = client.get("/api/model_references/v3/nothing")
    assert (response.status_code, response.json()) == (404, {"detail": "Not Found"})

"""The statistics endpoints in the OpenAPI document, with typed components."""

import pytest

pytestmark = pytest.mark.django_db
S = "/api/model_references/statistics/{category}"


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        return Client().get("/api/openapi.json").json()


def _ref(response: dict) -> dict:
    return response["content"]["application/json"]["schema"]


def test_the_routes_and_their_components(schema):
    paths = schema["paths"]
    assert _ref(paths[S]["get"]["responses"]["200"]) == {"$ref": "#/components/schemas/CategoryStatistics"}
    assert _ref(paths[f"{S}/with-stats"]["get"]["responses"]["200"]) == {
        "type": "object",
        "additionalProperties": {"$ref": "#/components/schemas/CombinedModelStatistics"},
    }
    for route, operation in (("deletion-risk", "statistics_deletion_risk"), ("audit", "statistics_audit")):
        get = paths[f"{S}/{route}"]["get"]
        assert get["operationId"] == operation
        assert _ref(get["responses"]["200"]) == {"$ref": "#/components/schemas/CategoryDeletionRiskResponse"}
        assert [p["name"] for p in get["parameters"] if p["in"] == "query"] == [
            "group_text_models",
            "include_backend_variations",
            "limit",
            "offset",
            "preset",
        ]
    popular = paths["/api/model_references/v2/{category}/popular"]["get"]
    assert _ref(popular["responses"]["200"]) == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/PopularModelResult"},
    }


def test_components_carry_upstreams_fields_in_order(schema):
    components = schema["components"]["schemas"]
    assert list(components["CombinedModelStatistics"]["properties"]) == [
        "queued_jobs",
        "performance",
        "eta",
        "queued",
        "usage_stats",
        "worker_summaries",
        "backend_variations",
        "observed_at",
        "worker_count",
    ]
    assert list(components["DeletionRiskFlags"]["properties"])[:4] == [
        "zero_usage_day",
        "zero_usage_month",
        "zero_usage_total",
        "no_active_workers",
    ]
    assert components["ModelDeletionRiskInfo"]["properties"]["deletion_risk_flags"] == {
        "$ref": "#/components/schemas/DeletionRiskFlags"
    }
    assert components["AiHordeStatus"]["properties"]["seconds_until_retry"]["type"] == "number"
    assert list(components["CategoryDeletionRiskResponse"]["properties"])[-2:] == ["as_of", "stale"]

"""A method a route does not have answers 405 with `Allow`, before any key is asked for."""

import pytest

from apps.catalog.categories import served_categories

pytestmark = pytest.mark.django_db
V2 = "/api/model_references/v2"


@pytest.mark.parametrize("category", [c.value for c in served_categories()] + ["lora", "not_a_category"])
def test_record_methods_on_a_category_document_and_document_methods_on_a_record(client, category):
    for method, path, allowed in (
        ("put", f"{V2}/{category}", "GET, POST, HEAD, OPTIONS"),
        ("delete", f"{V2}/{category}", "GET, POST, HEAD, OPTIONS"),
        ("post", f"{V2}/{category}/model/some/name", "GET, PUT, DELETE, HEAD, OPTIONS"),
        ("put", f"{V2}/{category}/add", "POST, OPTIONS"),
    ):
        response = getattr(client, method)(path, data="{}", content_type="application/json")
        assert (response.status_code, response.json()) == (405, {"detail": "Method Not Allowed"}), (
            method,
            path,
        )
        assert response["Allow"] == allowed


def test_the_openapi_document_advertises_only_the_methods_each_route_has(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for category in served_categories():
        assert set(paths[f"{V2}/{category.value}"]) == {"get", "post"}
        assert set(paths[f"{V2}/{category.value}/model/{{name}}"]) == {"get", "put", "delete"}
    assert set(paths[f"{V2}/{{category}}"]) == {"get", "post"}
    assert set(paths[f"{V2}/{{category}}/model/{{name}}"]) == {"get", "put", "delete"}

"""GET /api/model_references/v2/me/roles for every persona, as upstream answers it."""

import pytest

from apps.accounts.models import RoleGrant
from apps.accounts.services import role_grant_create, role_grant_revoke
from tests.fake_horde import APPROVER, CONNECTION_ERROR, READER, REQUESTOR, TIMEOUT, UNKNOWN_KEY

pytestmark = pytest.mark.django_db
URL = "/api/model_references/v2/me/roles"


def me(client, apikey=None):
    return client.get(URL, headers={"apikey": apikey} if apikey is not None else {})


@pytest.mark.parametrize(
    ("persona", "body"),
    [
        (
            APPROVER,
            {
                "user_id": "2002",
                "username": "App#2002",
                "roles": ["approver", "requestor"],
                "is_approver": True,
                "is_requestor": True,
            },
        ),
        (
            REQUESTOR,
            {
                "user_id": "1001",
                "username": "Requester#1001",
                "roles": ["requestor"],
                "is_approver": False,
                "is_requestor": True,
            },
        ),
        (
            READER,
            {
                "user_id": "3003",
                "username": "Reader#3003",
                "roles": [],
                "is_approver": False,
                "is_requestor": False,
            },
        ),
    ],
)
def test_each_persona_sees_its_roles(client, horde, grants, persona, body):
    response = me(client, persona.apikey)
    assert (response.status_code, response.json()) == (200, body)


@pytest.mark.parametrize("apikey", [None, "", "   "])
def test_without_a_key_401_not_authenticated_with_www_authenticate(client, horde, grants, apikey):
    response = me(client, apikey)
    assert (response.status_code, response.json()) == (401, {"detail": "Not authenticated"})
    assert response.headers["WWW-Authenticate"] == "APIKey"
    assert horde.calls == 0


def test_an_unknown_key_is_401_invalid_api_key(client, horde, grants):
    response = me(client, UNKNOWN_KEY)
    assert (response.status_code, response.json()) == (401, {"detail": "Invalid API key"})
    assert "WWW-Authenticate" not in response.headers  # as upstream


def test_me_roles_needs_no_grants_at_all(client, horde):
    response = me(client, APPROVER.apikey)
    assert response.status_code == 200
    assert response.json()["roles"] == []


@pytest.mark.parametrize(
    ("failure", "detail"),
    [(TIMEOUT, "Auth service timed out"), (CONNECTION_ERROR, "Auth service unavailable")],
)
def test_ai_horde_unreachable_is_503(client, horde, grants, failure, detail):
    horde.fail_with(failure)
    response = me(client, REQUESTOR.apikey)
    assert (response.status_code, response.json()) == (503, {"detail": detail})


def test_grant_changes_count_at_the_next_request_with_the_key_still_cached(client, horde, grants):
    assert me(client, READER.apikey).json()["roles"] == []
    role_grant_create(horde_user_id=READER.user_id, role="approver", granted_by="root")
    assert me(client, READER.apikey).json()["roles"] == ["approver", "requestor"]
    role_grant_revoke(grant=RoleGrant.objects.get(horde_user_id=READER.user_id), revoked_by="root")
    assert me(client, READER.apikey).json()["roles"] == []
    assert horde.calls == 1


def test_the_openapi_schema_names_the_apikey_header_as_upstream():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert schema["components"]["securitySchemes"] == {
        "APIKeyHeader": {"type": "apiKey", "in": "header", "name": "apikey"}
    }
    assert {"APIKeyHeader": []} in schema["paths"]["/api/model_references/v2/me/roles"]["get"]["security"]


@pytest.mark.parametrize(
    ("granted", "roles"),
    [
        ((), []),
        (("requestor",), ["requestor"]),
        (("approver",), ["approver", "requestor"]),
        (("requestor", "approver"), ["approver", "requestor"]),
    ],
)
def test_every_grant_combination(client, horde, granted, roles):
    for role in granted:
        role_grant_create(horde_user_id=READER.user_id, role=role, granted_by="root")
    assert me(client, READER.apikey).json() == {
        "user_id": "3003",
        "username": "Reader#3003",
        "roles": roles,
        "is_approver": "approver" in roles,
        "is_requestor": "requestor" in roles,
    }

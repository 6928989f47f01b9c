"""Signing in to the admin with an AI-Horde key, as requestors, approvers and strangers see it."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session

from apps.accounts.models import HordeAccount, RoleGrant
from apps.accounts.services import role_grant_create
from tests.fake_horde import APPROVER, CONNECTION_ERROR, READER, REQUESTOR, TIMEOUT, UNKNOWN_KEY

pytestmark = pytest.mark.django_db
SIGN_IN = "/admin/login/horde/"


def sign_in(client, apikey, next_url="/admin/", **extra):
    return client.post(SIGN_IN, {"apikey": apikey, "next": next_url}, **extra)


def error_of(response) -> str:
    body = response.content.decode()
    start = body.index('id="horde-login-error">') + len('id="horde-login-error">')
    return body[start : body.index("</p>", start)]


def test_the_login_page_offers_both_ways_in(client):
    body = client.get("/admin/login/?next=/admin/catalog/").content.decode()
    assert 'id="login-form"' in body  # Django's username and password
    assert "Sign in with AI-Horde API key" in body
    assert 'action="/admin/login/horde/"' in body
    assert 'name="next" value="/admin/catalog/"' in body


def test_the_sign_in_address_sends_browsers_to_the_login_page(client):
    response = client.get(SIGN_IN)
    assert (response.status_code, response["Location"]) == (302, "/admin/login/")


def test_a_requestor_signs_in_as_a_staff_user_in_the_requestors_group(client, horde, grants):
    response = sign_in(client, REQUESTOR.apikey, next_url="/admin/catalog/modelrecord/")
    assert (response.status_code, response["Location"]) == (302, "/admin/catalog/modelrecord/")
    user = get_user_model().objects.get(username="Requester#1001")
    assert user.is_staff and not user.is_superuser and not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == ["Requestors"]
    assert HordeAccount.objects.get(user=user).horde_user_id == "1001"
    assert client.get("/admin/catalog/modelrecord/").status_code == 200
    assert client.get("/admin/audit/auditevent/").status_code == 200
    assert client.get("/admin/accounts/rolegrant/").status_code == 403


def test_an_approver_is_in_both_groups_and_sees_the_grants_read_only(client, horde, grants):
    assert sign_in(client, APPROVER.apikey).status_code == 302
    user = get_user_model().objects.get(username="App#2002")
    assert sorted(user.groups.values_list("name", flat=True)) == ["Approvers", "Requestors"]
    page = client.get("/admin/accounts/rolegrant/")
    assert page.status_code == 200 and "Requester#1001" not in page.content.decode()  # not signed in yet
    assert client.get("/admin/accounts/rolegrant/add/").status_code == 403


def test_the_session_keeps_the_user_id_never_the_key(client, horde, grants):
    sign_in(client, APPROVER.apikey)
    (session,) = Session.objects.all()
    data = session.get_decoded()
    assert data["accounts_horde_user_id"] == "2002"
    assert APPROVER.apikey not in str(data) and APPROVER.apikey not in session.session_data


@pytest.mark.parametrize(
    ("apikey", "failure", "status", "message"),
    [
        (UNKNOWN_KEY, None, 401, "AI-Horde does not recognise this API key."),
        ("", None, 400, "Enter your AI-Horde API key."),
        (
            READER.apikey,
            None,
            403,
            "Reader#3003 holds no role here; ask an administrator for the requestor role.",
        ),
        (
            REQUESTOR.apikey,
            TIMEOUT,
            503,
            "AI-Horde could not be reached (Auth service timed out); try again.",
        ),
        (
            REQUESTOR.apikey,
            CONNECTION_ERROR,
            503,
            "AI-Horde could not be reached (Auth service unavailable); try again.",
        ),
    ],
)
def test_refusals_show_on_the_login_page(client, horde, grants, apikey, failure, status, message):
    horde.fail_with(failure)
    response = sign_in(client, apikey)
    assert response.status_code == status
    assert error_of(response) == message
    assert 'id="login-form"' in response.content.decode()
    assert not get_user_model().objects.exists()


def test_an_unsafe_next_goes_to_the_admin_index(client, horde, grants):
    assert sign_in(client, REQUESTOR.apikey, next_url="https://evil.example/")["Location"] == "/admin/"


def test_sign_in_attempts_are_limited_per_address(client, horde, grants, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "admin_signin": "2/minute",
        },
    }
    assert [sign_in(client, UNKNOWN_KEY).status_code for _ in range(2)] == [401, 401]
    refused = sign_in(client, REQUESTOR.apikey)
    assert refused.status_code == 429
    assert error_of(refused).startswith("Too many sign-in attempts; try again in ")
    assert sign_in(client, REQUESTOR.apikey, REMOTE_ADDR="10.1.1.1").status_code == 302


def test_a_rename_on_ai_horde_renames_the_account(client, horde, grants):
    sign_in(client, REQUESTOR.apikey)
    horde.users[REQUESTOR.apikey] = "Renamed#1001"
    client.logout()
    from django.core.cache import cache

    cache.clear()  # the old name was cached with the key
    sign_in(client, REQUESTOR.apikey)
    assert list(get_user_model().objects.values_list("username", flat=True)) == ["Renamed#1001"]


def test_a_local_account_with_the_same_name_is_not_taken_over(client, horde, grants):
    get_user_model().objects.create_user("Requester#1001", password="local-password")
    response = sign_in(client, REQUESTOR.apikey)
    assert response.status_code == 403
    assert "is a local account already" in error_of(response)


def test_an_account_disabled_in_the_admin_cannot_sign_in(client, horde, grants):
    sign_in(client, REQUESTOR.apikey)
    get_user_model().objects.filter(username="Requester#1001").update(is_active=False)
    client.logout()
    response = sign_in(client, REQUESTOR.apikey)
    assert (response.status_code, error_of(response)) == (
        403,
        "This account has been disabled by an administrator.",
    )


def test_a_revoked_grant_signs_the_user_out_at_the_next_request(client, horde, grants):
    sign_in(client, REQUESTOR.apikey)
    assert client.get("/admin/catalog/modelrecord/").status_code == 200
    RoleGrant.objects.filter(horde_user_id="1001").delete()
    response = client.get("/admin/catalog/modelrecord/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/admin/login/")
    assert "Your role on this service was revoked; you have been signed out." in response.content.decode()
    user = get_user_model().objects.get(username="Requester#1001")
    assert not user.is_staff and not user.groups.exists()


def test_a_demoted_approver_loses_the_approver_pages_at_the_next_request(client, horde, grants):
    sign_in(client, APPROVER.apikey)
    assert client.get("/admin/accounts/rolegrant/").status_code == 200
    RoleGrant.objects.filter(horde_user_id="2002").update(role="requestor")
    assert client.get("/admin/accounts/rolegrant/").status_code == 403
    assert client.get("/admin/catalog/modelrecord/").status_code == 200


def test_password_staff_accounts_keep_working_and_are_not_rechecked(client, horde):
    get_user_model().objects.create_superuser("root", "", "pw-for-root")
    response = client.post(
        "/admin/login/", {"username": "root", "password": "pw-for-root", "next": "/admin/"}
    )
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert client.get("/admin/accounts/rolegrant/").status_code == 200  # no grants at all: still fine
    assert horde.calls == 0


def test_superusers_grant_and_revoke_in_the_admin(client, horde, grants, frozen_clock):
    root = get_user_model().objects.create_superuser("root", "", "pw")
    client.force_login(root)
    response = client.post(
        "/admin/accounts/rolegrant/add/",
        {"horde_user_id": "3003", "role": "requestor", "note": "asked on Discord"},
    )
    assert response.status_code == 302
    grant = RoleGrant.objects.get(horde_user_id="3003")
    assert (grant.granted_by, grant.granted_at, grant.note) == ("root", frozen_clock, "asked on Discord")
    duplicate = client.post("/admin/accounts/rolegrant/add/", {"horde_user_id": "3003", "role": "requestor"})
    assert "already exists" in duplicate.content.decode()
    bad = client.post("/admin/accounts/rolegrant/add/", {"horde_user_id": "Reader#3003", "role": "requestor"})
    assert "is the number after" in bad.content.decode()
    client.post(f"/admin/accounts/rolegrant/{grant.pk}/change/", {"note": "vouched for by App"})
    grant.refresh_from_db()
    assert (grant.horde_user_id, grant.role, grant.note) == ("3003", "requestor", "vouched for by App")
    client.post(f"/admin/accounts/rolegrant/{grant.pk}/delete/", {"post": "yes"})
    assert not RoleGrant.objects.filter(horde_user_id="3003").exists()


def test_the_grant_list_filters_and_searches_by_ai_horde_name(client, horde, grants):
    def listed(**query) -> list[tuple[str, str]]:
        page = client.get("/admin/accounts/rolegrant/", query).content.decode()
        return re.findall(
            r'field-horde_user_id"><a href="[^"]+">(\d+)</a></th><td class="field-horde_username">([^<]+)<',
            page,
        )

    sign_in(client, APPROVER.apikey)
    role_grant_create(horde_user_id="4004", role="requestor", granted_by="root")
    assert listed() == [("1001", "-"), ("2002", "App#2002"), ("4004", "-")]
    assert listed(q="App#") == [("2002", "App#2002")]
    assert listed(role__exact="requestor") == [("1001", "-"), ("4004", "-")]
    assert listed(granted_by="root") == [("4004", "-")]


def test_superusers_can_disable_an_ai_horde_account_despite_the_hash_in_its_name(client, horde, grants):
    sign_in(client, REQUESTOR.apikey)
    client.logout()
    user = get_user_model().objects.get(username="Requester#1001")
    root = get_user_model().objects.create_superuser("root", "", "pw")
    client.force_login(root)
    page = client.get(f"/admin/auth/user/{user.pk}/change/")
    assert page.status_code == 200 and 'name="username"' not in page.content.decode()
    response = client.post(
        f"/admin/auth/user/{user.pk}/change/",
        {"is_staff": "on", "date_joined_0": "2026-01-02", "date_joined_1": "03:04:05", "groups": []},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert not user.is_active and user.username == "Requester#1001"

"""The capability guards on write and queue endpoints: every persona, every gate, whole bodies.

Upstream's order: the key (401), the role (fail closed 401, then 403), then the gates (503).
"""

import pytest

from apps.accounts.models import RoleGrant
from tests.fake_horde import APPROVER, CONNECTION_ERROR, READER, REQUESTOR, TIMEOUT, UNKNOWN_KEY

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.guarded_urls")]

NOT_AUTHENTICATED = (401, {"detail": "Not authenticated"})
INVALID = (401, {"detail": "Invalid API key"})
NOT_REQUESTOR = (403, {"detail": "You are not on the pending queue requestor list."})
NOT_APPROVER = (403, {"detail": "You are not on the pending queue approver list."})
REPLICA = (
    503,
    {
        "detail": "This instance is in REPLICA mode and does not support write operations. "
        "Only PRIMARY instances can modify data."
    },
)
WRONG_FORMAT = (
    503,
    {
        "detail": "This deployment does not expose write operations for this API. "
        "Expected canonical_format='v2', got 'legacy'."
    },
)
ANONYMOUS = None


def call(client, path, persona=ANONYMOUS, method="post", apikey=None):
    key = apikey or (persona.apikey if persona else None)
    response = getattr(client, method)(f"/guarded/{path}", headers={"apikey": key} if key else {})
    return response.status_code, response.json()


@pytest.mark.parametrize(
    ("path", "persona", "expected"),
    [
        ("requestor", ANONYMOUS, NOT_AUTHENTICATED),
        ("requestor", READER, NOT_REQUESTOR),
        ("requestor", REQUESTOR, (202, {"by": "1001"})),
        ("requestor", APPROVER, (202, {"by": "2002"})),
        ("approver", ANONYMOUS, NOT_AUTHENTICATED),
        ("approver", READER, NOT_APPROVER),
        ("approver", REQUESTOR, NOT_APPROVER),
        ("approver", APPROVER, (202, {"by": "2002"})),
        ("reader", ANONYMOUS, NOT_AUTHENTICATED),
        ("reader", READER, (202, {"by": "3003"})),
        ("reader", REQUESTOR, (202, {"by": "1001"})),
        ("reader", APPROVER, (202, {"by": "2002"})),
    ],
)
def test_every_persona_on_every_guard(client, horde, grants, path, persona, expected):
    assert call(client, path, persona) == expected


@pytest.mark.parametrize("path", ["requestor", "approver", "reader"])
def test_an_unknown_key_is_invalid_everywhere(client, horde, grants, path):
    assert call(client, path, apikey=UNKNOWN_KEY) == INVALID


def test_the_401_without_a_key_names_the_scheme(client, horde, grants):
    response = client.post("/guarded/requestor")
    assert response.headers["WWW-Authenticate"] == "APIKey"
    assert (
        "WWW-Authenticate" not in client.post("/guarded/requestor", headers={"apikey": UNKNOWN_KEY}).headers
    )


@pytest.mark.parametrize("persona", [READER, REQUESTOR, APPROVER])
def test_with_no_grants_every_role_check_fails_closed_without_asking_ai_horde(client, horde, persona):
    assert call(client, "requestor", persona) == INVALID
    assert call(client, "approver", persona) == INVALID
    assert call(client, "requestor") == NOT_AUTHENTICATED  # no key is still "Not authenticated"
    assert horde.calls == 0
    assert call(client, "reader", persona)[0] == 202  # readers need no list


def test_with_requestors_only_the_approver_check_fails_closed(client, horde):
    RoleGrant.objects.create(
        horde_user_id="1001", role="requestor", granted_by="t", granted_at="2026-01-01T00:00Z"
    )
    assert call(client, "approver", REQUESTOR) == INVALID
    assert horde.calls == 0
    assert call(client, "requestor", REQUESTOR) == (202, {"by": "1001"})
    assert call(client, "requestor", READER) == NOT_REQUESTOR


@pytest.mark.parametrize(
    ("failure", "detail"),
    [(TIMEOUT, "Auth service timed out"), (CONNECTION_ERROR, "Auth service unavailable")],
)
def test_ai_horde_unreachable_is_503_never_a_pass(client, horde, grants, failure, detail):
    horde.fail_with(failure)
    for path in ("requestor", "approver", "reader"):
        assert call(client, path, REQUESTOR) == (503, {"detail": detail})


@pytest.mark.parametrize(
    ("persona", "expected"),
    [(ANONYMOUS, NOT_AUTHENTICATED), (READER, NOT_REQUESTOR), (REQUESTOR, REPLICA), (APPROVER, REPLICA)],
)
def test_a_replica_refuses_writes_after_checking_who_asks(client, horde, grants, settings, persona, expected):
    settings.HMR_REPLICATE_MODE = "REPLICA"
    assert call(client, "requestor", persona) == expected


def test_a_replica_refuses_queue_reads_too(client, horde, grants, settings):
    settings.HMR_REPLICATE_MODE = "REPLICA"
    assert call(client, "reader", READER, method="get") == REPLICA


@pytest.mark.parametrize(
    ("persona", "expected"),
    [(ANONYMOUS, NOT_AUTHENTICATED), (READER, NOT_REQUESTOR), (REQUESTOR, WRONG_FORMAT)],
)
def test_writes_through_the_non_canonical_version_are_refused(
    client, horde, grants, settings, persona, expected
):
    settings.HMR_CANONICAL_FORMAT = "legacy"
    assert call(client, "requestor", persona) == expected
    assert call(client, "legacy", REQUESTOR) == (202, {"by": "1001"})


def test_the_legacy_api_refuses_writes_on_a_v2_deployment(client, horde, grants):
    assert call(client, "legacy", REQUESTOR) == (
        503,
        {
            "detail": "This deployment does not expose write operations for this API. "
            "Expected canonical_format='legacy', got 'v2'."
        },
    )


def test_open_reads_ignore_keys_and_never_ask_ai_horde(client, horde, grants):
    assert call(client, "category", method="get", apikey=UNKNOWN_KEY) == (200, {"ok": True})
    assert call(client, "category", method="get") == (200, {"ok": True})
    assert horde.calls == 0
    assert call(client, "category", READER) == NOT_REQUESTOR
    assert call(client, "category", REQUESTOR) == (202, {"by": "1001"})


def test_a_revoked_grant_counts_at_the_next_request(client, horde, grants):
    assert call(client, "approver", APPROVER)[0] == 202
    RoleGrant.objects.filter(horde_user_id=APPROVER.user_id).delete()
    RoleGrant.objects.create(
        horde_user_id="9", role="approver", granted_by="t", granted_at="2026-01-01T00:00Z"
    )
    assert call(client, "approver", APPROVER) == NOT_APPROVER
    assert horde.calls == 1  # the key stayed cached; the role did not

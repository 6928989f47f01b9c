"""The AI-Horde client: one GET per call, the key in the `apikey` header, failures typed."""

import pytest

from apps.horde import client
from tests.fake_horde import CONNECT_TIMEOUT, CONNECTION_ERROR, REQUESTOR, TIMEOUT, UNKNOWN_KEY


def test_find_user_sends_the_key_as_a_header_with_both_timeouts(horde, settings):
    settings.HMR_AI_HORDE_CONNECT_TIMEOUT_SECONDS = 2.5
    settings.HMR_AI_HORDE_READ_TIMEOUT_SECONDS = 7
    assert client.find_user(apikey=REQUESTOR.apikey) == client.FindUserResult(username="Requester#1001")
    (call,) = horde.mock.calls
    assert call.request.url == "https://aihorde.net/api/v2/find_user"
    assert call.request.headers["apikey"] == REQUESTOR.apikey
    assert REQUESTOR.apikey not in call.request.url
    assert call.request.req_kwargs["timeout"] == (2.5, 7)


def test_the_base_url_comes_from_settings(horde, settings):
    settings.HMR_AI_HORDE_URL = "https://stablehorde.example/api/"
    horde.mock.get("https://stablehorde.example/api/v2/find_user", json={"username": "Other#9"})
    assert client.find_user(apikey="k").username == "Other#9"


@pytest.mark.parametrize("status", [401, 403, 404, 429, 500, 503])
def test_a_status_other_than_200_is_a_rejection_with_that_status(horde, status):
    if status != 404:
        horde.fail_with(status)
    with pytest.raises(client.HordeRejected) as raised:
        client.find_user(apikey=UNKNOWN_KEY)
    assert raised.value.status == status


@pytest.mark.parametrize("failure", [TIMEOUT, CONNECT_TIMEOUT])
def test_timeouts_are_their_own_error(horde, failure):
    horde.fail_with(failure)
    with pytest.raises(client.HordeTimeout):
        client.find_user(apikey=REQUESTOR.apikey)


def test_a_connection_error_is_unavailable(horde):
    horde.fail_with(CONNECTION_ERROR)
    with pytest.raises(client.HordeUnavailable, match=r"not reachable \(ConnectionError\)"):
        client.find_user(apikey=REQUESTOR.apikey)


@pytest.mark.parametrize("body", ["<html>gateway</html>", "[1, 2]"])
def test_a_200_that_is_not_a_json_object_is_unavailable(horde, body):
    horde.mock.replace("GET", "https://aihorde.net/api/v2/find_user", body=body)
    with pytest.raises(client.HordeUnavailable):
        client.find_user(apikey=REQUESTOR.apikey)


@pytest.mark.parametrize(("body", "username"), [({}, ""), ({"username": None}, ""), ({"username": 7}, "")])
def test_a_body_without_a_string_username_gives_an_empty_username(horde, body, username):
    horde.mock.replace("GET", "https://aihorde.net/api/v2/find_user", json=body)
    assert client.find_user(apikey=REQUESTOR.apikey).username == username

"""A fake AI-Horde at the HTTP level (the `responses` library): personas, failures, call counts.

Every request HMR sends to `{HMR_AI_HORDE_URL}v2/find_user` is answered from `users` (apikey →
username); unknown keys get AI-Horde's 404. `fail_with` makes every look-up raise (a timeout, a
connection error) or answer a status. The live server of browser tests runs in a thread of the
test process, so the same fake answers its look-ups too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import requests
import responses

FIND_USER = "https://aihorde.net/api/v2/find_user"


@dataclass(frozen=True)
class Persona:
    apikey: str
    username: str

    @property
    def user_id(self) -> str:
        return self.username.rsplit("#", 1)[1]


REQUESTOR = Persona("requestor-key-0000000001", "Requester#1001")
APPROVER = Persona("approver-key-00000000002", "App#2002")
READER = Persona("reader-key-000000000003", "Reader#3003")  # a valid AI-Horde user without a role
UNKNOWN_KEY = "unknown-key-00000000000"


class FakeHorde:
    def __init__(self, mock: responses.RequestsMock) -> None:
        self.mock = mock
        self.users: dict[str, object] = {p.apikey: p.username for p in (REQUESTOR, APPROVER, READER)}
        self.failure: Exception | int | None = None
        mock.add_callback(responses.GET, FIND_USER, callback=self._answer)

    def _answer(self, request):
        if isinstance(self.failure, Exception):
            raise self.failure
        if isinstance(self.failure, int):
            return self.failure, {}, json.dumps({"message": "Internal Server Error"})
        username = self.users.get(request.headers.get("apikey"))
        if username is None:
            return 404, {}, json.dumps({"message": "User not found", "rc": "UserNotFound"})
        return 200, {}, json.dumps({"username": username, "id": 1, "kudos": 0})

    def fail_with(self, failure: Exception | int | None) -> None:
        self.failure = failure

    @property
    def calls(self) -> int:
        return len(self.mock.calls)

    def keys_asked(self) -> list[str]:
        return [call.request.headers.get("apikey") for call in self.mock.calls]


TIMEOUT = requests.ReadTimeout("read timed out")
CONNECT_TIMEOUT = requests.ConnectTimeout("connect timed out")
CONNECTION_ERROR = requests.ConnectionError("connection refused")

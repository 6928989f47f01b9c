"""A fake AI-Horde at the HTTP level (the `responses` library): personas, failures, call counts.

Every request HMR sends to `{HMR_AI_HORDE_URL}v2/find_user` is answered from `users` (apikey →
username); unknown keys get AI-Horde's 404. `fail_with` makes every look-up raise (a timeout, a
connection error) or answer a status. The live server of browser tests runs in a thread of the
test process, so the same fake answers its look-ups too.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import requests
import responses

BASE = "https://aihorde.net/api/"
FIND_USER = f"{BASE}v2/find_user"
USAGE_URL = re.compile(
    re.escape(BASE) + r"v2/(status/models|stats/img/models|stats/text/models|workers)(\?.*)?$"
)
MAINTENANCE = {"message": "The server is in maintenance mode", "rc": "Maintenance"}


@dataclass(frozen=True)
class Persona:
    apikey: str
    username: str

    @property
    def user_id(self) -> str:
        return self.username.rsplit("#", 1)[1]


REQUESTOR = Persona("requestor-key-0000000001", "Requester#1001")
APPROVER = Persona("approver-key-00000000002", "App#2002")
SECOND_APPROVER = Persona("approver-key-00000000004", "Second#2004")  # granted by tests that need two
READER = Persona("reader-key-000000000003", "Reader#3003")  # a valid AI-Horde user without a role
UNKNOWN_KEY = "unknown-key-00000000000"


class FakeHorde:
    def __init__(self, mock: responses.RequestsMock) -> None:
        self.mock = mock
        personas = (REQUESTOR, APPROVER, SECOND_APPROVER, READER)
        self.users: dict[str, object] = {p.apikey: p.username for p in personas}
        self.failure: Exception | int | None = None
        self.usage: dict[str, object] = {}
        self.usage_failure: Exception | int | None = None
        self.usage_next: list[Exception | int] = []
        mock.add_callback(responses.GET, FIND_USER, callback=self._answer)
        mock.add_callback(responses.GET, USAGE_URL, callback=self._usage)

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

    # --- usage: status/models, stats/{img,text}/models, workers ----------------------------------

    def serve_usage(self, payloads: dict[str, object]) -> None:
        """Answer the usage calls from `payloads` ("status/image", "stats/text", "workers/image", …)."""
        self.usage = copy.deepcopy(payloads)

    def fail_usage_with(self, failure: Exception | int | None) -> None:
        """Every usage call raises `failure` or answers that status (AI-Horde's maintenance body)."""
        self.usage_failure = failure

    def fail_next_usage(self, *failures: Exception | int) -> None:
        """The next usage calls fail in turn with `failures`; later ones are answered."""
        self.usage_next = list(failures)

    def _usage(self, request):
        failure = self.usage_next.pop(0) if self.usage_next else self.usage_failure
        if isinstance(failure, Exception):
            raise failure
        if isinstance(failure, int):
            return failure, {}, json.dumps(MAINTENANCE)
        url = urlsplit(request.url)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        path = url.path.removeprefix("/api/v2/")
        if path.startswith("stats/"):
            key = "stats/image" if path == "stats/img/models" else "stats/text"
        else:
            key = f"{path.split('/')[0]}/{query.get('type')}"
        if key not in self.usage:
            return 404, {}, json.dumps({"message": "Not found"})
        return 200, {}, json.dumps(self.usage[key])

    def usage_calls(self) -> list[str]:
        """The usage URLs asked so far (path and query), in order."""
        urls = [call.request.url for call in self.mock.calls if USAGE_URL.match(call.request.url)]
        return [url.removeprefix(f"{BASE}v2/") for url in urls]

    @property
    def calls(self) -> int:
        """Every call made to the fake (identity and usage)."""
        return len(self.mock.calls)

    def keys_asked(self) -> list[str]:
        return [call.request.headers.get("apikey") for call in self.mock.calls]


TIMEOUT = requests.ReadTimeout("read timed out")
CONNECT_TIMEOUT = requests.ConnectTimeout("connect timed out")
CONNECTION_ERROR = requests.ConnectionError("connection refused")

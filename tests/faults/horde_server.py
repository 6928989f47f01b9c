"""A fake AI-Horde over real HTTP that can be made slow: it holds each answer `delay` seconds.

It answers `GET /api/v2/find_user` for the personas of tests/fake_horde.py (AI-Horde's 404 body
for unknown keys) and the usage calls of the analytics refresh (`v2/status/models`,
`v2/stats/{img,text}/models`, `v2/workers`) from `usage` (empty lists and counts by default).
`slow(seconds)` makes every later request wait that long before a byte of the answer is sent
(AI-Horde overloaded: the connection is accepted, the answer does not come); `fast()` ends it and
releases the requests still waiting. `requests` counts what arrived, `in_flight` what is held now.
"""

from __future__ import annotations

import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tests.fake_horde import APPROVER, READER, REQUESTOR, SECOND_APPROVER


class SlowHordeServer:
    def __init__(self) -> None:
        self.users = {p.apikey: p.username for p in (REQUESTOR, APPROVER, SECOND_APPROVER, READER)}
        self.usage: dict[str, object] = {}
        self.delay = 0.0
        self.requests: list[str] = []  # "find_user" or the usage path, in arrival order
        self.in_flight = 0
        self._released = threading.Event()
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def slow(self, seconds: float) -> None:
        self._released.clear()
        self.delay = seconds

    def fast(self) -> None:
        self.delay = 0.0
        self._released.set()

    def close(self) -> None:
        self.fast()
        self.server.shutdown()
        self.server.server_close()

    def count(self, what: str) -> int:
        with self._lock:
            return sum(1 for r in self.requests if r == what)

    def _answer(self, path: str, query: dict, apikey: str) -> tuple[int, object]:
        if path == "v2/find_user":
            username = self.users.get(apikey)
            if username is None:
                return 404, {"message": "User not found", "rc": "UserNotFound"}
            return 200, {"username": username, "id": int(username.rsplit("#", 1)[1]), "kudos": 0}
        if path in ("v2/stats/img/models", "v2/stats/text/models"):
            return 200, self.usage.get(path, {"day": {}, "month": {}, "total": {}})
        if path in ("v2/status/models", "v2/workers"):
            return 200, self.usage.get(f"{path}?type={query.get('type')}", [])
        return 404, {"message": "Not found"}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlsplit(self.path)
                path = url.path.removeprefix("/api/")
                with fake._lock:
                    fake.requests.append("find_user" if path == "v2/find_user" else path)
                    fake.in_flight += 1
                try:
                    if fake.delay:
                        fake._released.wait(fake.delay)
                    query = {k: v[0] for k, v in parse_qs(url.query).items()}
                    status, body = fake._answer(path, query, self.headers.get("apikey", ""))
                    data = json.dumps(body).encode()
                    with contextlib.suppress(OSError):  # HMR gave up waiting and hung up
                        self.send_response(status)
                        self.send_header("Content-Type", "application/json")
                        self.send_header("Content-Length", str(len(data)))
                        self.end_headers()
                        self.wfile.write(data)
                finally:
                    with fake._lock:
                        fake.in_flight -= 1

            def log_message(self, *args):
                pass

        return Handler

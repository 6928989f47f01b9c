"""The fake GitHub of tests/sync (`FakeRepo`) served over real HTTP on loopback, with faults.

The sync tests mock GitHub inside `requests` (the `responses` library), below which urllib3's
retries never run: PyGithub's `GithubRetry` (5xx retries, Retry-After, secondary rate limits) is
only exercised by a real socket. `FakeGitHubServer` answers from the same stateful `FakeRepo`s,
logs every request with its arrival time, and can answer chosen requests with a fault instead:
`fail(method, path, status, body, headers, times)` makes the next `times` matching requests get
that answer (None: until `recover()`); the repository is not touched by a refused request.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

from tests.sync.fake_github import FakeRepo

# GitHub's own answers (docs.github.com, "Rate limits for the REST API"; a 502 from its proxy).
SECONDARY_RATE_LIMIT = {
    "message": "You have exceeded a secondary rate limit and have been temporarily blocked from "
    "content creation. Please retry your request again later.",
    "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
    "#about-secondary-rate-limits",
}
BAD_GATEWAY = {"message": "Server Error"}
UNAVAILABLE = {"message": "Service Unavailable"}


@dataclass
class Fault:
    method: str
    path: re.Pattern
    status: int
    body: dict
    headers: dict[str, str]
    times: int | None  # None: every matching request until recover()
    served: int = 0


@dataclass
class Call:
    at: float  # time.monotonic() on arrival
    method: str
    path: str  # below /repos/{owner}/{name}, without the query
    status: int


@dataclass
class FakeGitHubServer:
    """Serves `repos` at http://127.0.0.1:{port}; point HMR_GITHUB_API_URL at `url`."""

    repos: list[FakeRepo]
    faults: list[Fault] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        for repo in self.repos:  # the URLs inside the JSON answers point here too
            repo.base_url = f"{self.url}/repos/{repo.full_name}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def fail(
        self,
        method: str,
        path: str,
        status: int,
        body: dict,
        *,
        headers: dict[str, str] | None = None,
        times: int | None = None,
    ) -> None:
        """Answer the next `times` requests `method path` (a regex on the path below the repo)."""
        with self._lock:
            self.faults.append(Fault(method, re.compile(path), status, body, headers or {}, times))

    def recover(self) -> None:
        with self._lock:
            self.faults.clear()

    def calls_to(self, method: str, path: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and re.fullmatch(path, c.path)]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _fault_for(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.method == method and fault.path.fullmatch(path):
                    if fault.times is not None and fault.served >= fault.times:
                        continue
                    fault.served += 1
                    return fault
        return None

    def _answer(self, method: str, target: str, body: bytes, headers) -> tuple[int, dict, bytes]:
        at = time.monotonic()
        repo = next((r for r in self.repos if target.startswith(f"/repos/{r.full_name}")), None)
        path = target.split("?", 1)[0].removeprefix(f"/repos/{repo.full_name}") if repo else target
        fault = self._fault_for(method, path)
        if fault is not None:
            status, answer, extra = fault.status, json.dumps(fault.body).encode(), fault.headers
        elif repo is None:
            status, answer, extra = 404, json.dumps({"message": "Not Found"}).encode(), {}
        else:
            request = SimpleNamespace(url=f"{self.url}{target}", method=method, body=body, headers=headers)
            with self._lock:  # FakeRepo is not thread-safe
                status, _, text = repo._handle(request)
            answer, extra = text.encode(), {}
        with self._lock:
            self.calls.append(Call(at, method, path, status))
        return status, {"Content-Type": "application/json; charset=utf-8", **extra}, answer

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as GitHub

            def _any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, answer = fake._answer(self.command, self.path, body, self.headers)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _any

            def log_message(self, *args):
                pass

        return Handler

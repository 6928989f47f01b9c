"""The Python library (clients/python, `hmr_client`) against a live HMR server.

`live_hmr` imports the real legacy data into the (transactional) test database and serves the
production WSGI application (hmr_site.wsgi: the hot read path, then Django) from a threaded
server in this process, so the fake AI-Horde answers its API-key look-ups. The server logs every
request it answers (path, If-None-Match, API key, status) and can be stopped for real: the
listening socket and every open connection are closed, so the client's next request is refused.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from dataclasses import dataclass, field

import httpx
import pytest
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from hmr_client import ModelReferenceManager

from apps.catalog.imports import import_references
from hmr_site.wsgi import application
from tests.fake_horde import APPROVER, REQUESTOR

API = "/api/model_references/v2"


@dataclass
class Seen:
    method: str
    path: str
    if_none_match: str | None
    apikey: str | None
    status: int = 0


@dataclass
class RequestLog:
    """WSGI middleware of the test server: what each request asked and the status it got."""

    app: object
    seen: list[Seen] = field(default_factory=list)
    rewrite: dict = field(default_factory=dict)  # path -> function(document) -> document

    def __call__(self, environ, start_response):
        entry = Seen(
            environ["REQUEST_METHOD"],
            environ["PATH_INFO"],
            environ.get("HTTP_IF_NONE_MATCH"),
            environ.get("HTTP_APIKEY"),
        )

        def start(status, headers, exc_info=None):
            entry.status = int(status.split()[0])
            return start_response(status, headers, exc_info)

        self.seen.append(entry)
        edit = self.rewrite.get(environ["PATH_INFO"])
        if edit is None:
            return self.app(environ, start)
        return self._rewritten(environ, start, edit)

    def _rewritten(self, environ, start, edit):
        """Serve the document as a newer server would, edited by `edit` (no gzip, no validator)."""
        environ = {
            k: v for k, v in environ.items() if k not in ("HTTP_ACCEPT_ENCODING", "HTTP_IF_NONE_MATCH")
        }
        captured = {}
        body = b"".join(self.app(environ, lambda status, headers, exc_info=None: captured.update(s=status)))
        edited = json.dumps(edit(json.loads(body))).encode()
        start(captured["s"], [("Content-Type", "application/json"), ("Content-Length", str(len(edited)))])
        return [edited]

    def requests(self, path_prefix: str = API) -> list[Seen]:
        return [s for s in self.seen if s.path.startswith(path_prefix)]


class _Quiet(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


class StoppableServer(ThreadedWSGIServer):
    """Keeps its open connections, so stop() can close them (keep-alive would outlive shutdown)."""

    request_queue_size = 64  # the client's concurrent async reads must not overflow the backlog

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()

    def process_request(self, request, client_address):
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)


@dataclass
class LiveHMR:
    url: str  # the API root the client is given (…/api)
    log: RequestLog
    server: StoppableServer
    thread: threading.Thread
    stopped: bool = False

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        self.server.shutdown()
        self.server.server_close()
        with self.server.connections_lock:
            connections = list(self.server.connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()
        self.thread.join(timeout=10)

    def document(self, category: str) -> dict:
        """The category's v2 document as the server serves it (plain httpx, no hmr_client)."""
        response = httpx.get(f"{self.url}/model_references/v2/{category}", timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def queue_update(self, category: str, name: str, **fields) -> int:
        """Propose, approve and apply an update of one record through the queue's HTTP API."""
        record = {**self.document(category)[name], **fields}
        for key in ("record_type", "metadata", "model_classification"):
            record.pop(key, None)
        proposed = httpx.put(
            f"{self.url}/model_references/v2/{category}/model/{name}",
            json=record,
            headers={"apikey": REQUESTOR.apikey},
            timeout=30,
        )
        assert proposed.status_code == 202, proposed.text
        change = proposed.json()["change_id"]
        queue = f"{self.url}/model_references/v2/pending_queue"
        approver = {"apikey": APPROVER.apikey}
        approved = httpx.post(
            f"{queue}/batches", json={"batch_title": "client e2e", "approved_ids": [change]}, headers=approver
        )
        assert approved.status_code == 200, approved.text
        applied = httpx.post(f"{queue}/changes/{change}/apply", json={}, headers=approver, timeout=30)
        assert applied.status_code == 200, applied.text
        return change


@pytest.fixture
def imported_live(transactional_db, legacy_dir, import_actor):
    """The real legacy data, committed (the server's threads have their own connections)."""
    report, _ = import_references(actor=import_actor, legacy_dir=legacy_dir)
    return report


@pytest.fixture
def live_hmr(imported_live, horde, grants):
    log = RequestLog(application)
    server = StoppableServer(("127.0.0.1", 0), _Quiet, allow_reuse_address=True)
    server.set_app(log)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="live-hmr", daemon=True)
    thread.start()
    live = LiveHMR(f"http://127.0.0.1:{server.server_address[1]}/api", log, server, thread)
    yield live
    live.stop()


@pytest.fixture
def manager_for(live_hmr, tmp_path):
    """manager_for(**settings): a fresh ModelReferenceManager of the live server (reset after)."""
    ModelReferenceManager.reset()

    def make(**settings):
        settings.setdefault("cache_dir", tmp_path / "hmr-client-cache")
        return ModelReferenceManager(live_hmr.url, **settings)

    yield make
    ModelReferenceManager.reset()

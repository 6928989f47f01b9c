"""Real services a fault test may take away: a private PostgreSQL cluster, a private Redis server
(a Celery broker), a fake AI-Horde over HTTP, and HMR's production server (granian) as a separate
process on them.

Never the shared services: each test starts its own on free ports under a temporary directory and
stops them itself.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg

from tests.fake_horde import APPROVER, READER, REQUESTOR

ROOT = Path(__file__).resolve().parents[2]
PY = str(ROOT / ".venv" / "bin" / "python")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


class PrivatePostgres:
    """A PostgreSQL cluster of our own (initdb, pg_ctl), owned by the `postgres` system user."""

    def __init__(self) -> None:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not bins:
            raise RuntimeError("PostgreSQL server binaries are required (/usr/lib/postgresql/*/bin)")
        self.bin = Path(bins[-1]).parent
        self.root = Path(tempfile.mkdtemp(prefix="hmr-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.root, "postgres")
        self._run("initdb", "-D", str(self.data), "--auth=trust", "-U", "postgres", "-E", "UTF8")
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/hmr"

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self.as_postgres, str(self.bin / tool), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        options += " -c track_activity_query_size=16384"  # whole statements in pg_stat_activity
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def create_database(self) -> None:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "hmr")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class PrivateRedis:
    """A redis-server of our own on a fixed free port: killed and started again on the same port."""

    def __init__(self) -> None:
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            raise RuntimeError("redis-server is required (it runs the suite's Redis too)")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = Path(tempfile.mkdtemp(prefix="hmr-redis-"))
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        """Start (again): every write is in the append-only file first, so a kill loses nothing."""
        self.process = subprocess.Popen(
            [
                *(self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir)),
                *("--save", "", "--appendonly", "yes", "--appendfsync", "always"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def kill(self) -> None:
        """SIGKILL: the port is closed, connections are refused."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def pause(self) -> None:
        """SIGSTOP: the kernel still accepts connections, the server never answers (a hung broker)."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def remove(self) -> None:
        if self.process is not None:
            self.resume()
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def sql(url: str, query: str, params: tuple = ()) -> list[tuple]:
    """Run one statement on its own autocommit connection; the rows it returns (none: [])."""
    with psycopg.connect(url, autocommit=True) as connection:
        cursor = connection.execute(query, params)
        return cursor.fetchall() if cursor.description else []


class _FindUser(BaseHTTPRequestHandler):
    users = {p.apikey: p.username for p in (REQUESTOR, APPROVER, READER)}

    def do_GET(self):  # AI-Horde's GET /api/v2/find_user
        username = self.users.get(self.headers.get("apikey", ""))
        status, body = (200, {"username": username, "id": 1, "kudos": 0}) if username else (404, {})
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class FakeHordeServer:
    """AI-Horde's find_user over real HTTP (the server under test is another process)."""

    def __init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _FindUser)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def server_env(database_url: str, redis_url: str, horde_url: str, **extra: str) -> dict:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "HMR_TEST"))},
        "DJANGO_SETTINGS_MODULE": "hmr_site.settings.production",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "HMR_AI_HORDE_URL": horde_url,
        "DEBUG": "false",
        "SECRET_KEY": "fault-test",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_COOKIES": "false",
        "LOG_LEVEL": "WARNING",
        "HMR_REQUESTOR_IDS": REQUESTOR.user_id,
        "HMR_APPROVER_IDS": APPROVER.user_id,
        "HMR_EXPORT_DIR": extra.pop("HMR_EXPORT_DIR", str(Path(tempfile.mkdtemp(prefix="hmr-export-")))),
        **extra,
    }


def manage(env: dict, *command: str) -> None:
    subprocess.run([PY, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def start_server(env: dict, port: int, workers: int = 1, options: tuple[str, ...] = ()) -> subprocess.Popen:
    """granian in a process group of its own: `kill_server` takes its workers down with it.

    `options`: more granian flags (e.g. docker/Dockerfile's thread and backpressure limits)."""
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "granian"),
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            *options,
            "hmr_site.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=sys.stderr,
        start_new_session=True,
    )
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/heartbeat", timeout=1).read()
            return process
        except OSError:
            time.sleep(0.1)
    kill_server(process)
    raise TimeoutError("the server did not start")


def kill_server(process: subprocess.Popen) -> None:
    """SIGKILL granian and every worker it started (no shutdown code runs), and reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()

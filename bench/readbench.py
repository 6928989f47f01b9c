"""Read-path benchmark: our production server vs nginx serving the same bytes, pinned, with wrk.

Starts the production server (granian, workers = CPUs it may run on) on CPU 0 against PostgreSQL
and Redis loaded with the real legacy data, and nginx on CPU 0 serving the very bytes our server
returned as static files; wrk runs on CPU 1 (16 connections, 15 s, 3 runs each; medians).
Prints requests/s, p50 and p99 per URL and our throughput as a share of nginx's.

Environment: BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/hmr_bench, recreated),
BENCH_REDIS_URL (redis://127.0.0.1:6379/12, flushed), HMR_LEGACY_DATA_DIR (../shared/data/legacy),
BENCH_DURATION (15), BENCH_RUNS (3), BENCH_CONNECTIONS (16), BENCH_SERVER (granian|gunicorn),
BENCH_PORT (8100) and BENCH_NGINX_PORT (8200): where the two servers listen.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"
PORT = int(os.environ.get("BENCH_PORT", "8100"))
NGINX_PORT = int(os.environ.get("BENCH_NGINX_PORT", "8200"))
SERVER_CPUS, LOAD_CPUS = "0", "1"
# As in docker/Dockerfile: two blocking threads per worker; at most 256 connections per worker
# (granian's backpressure counts connections, idle keep-alive ones included, not requests).
GRANIAN_TUNING = ["--no-ws", "--blocking-threads", "2", "--backpressure", "256"]
DURATION = int(os.environ.get("BENCH_DURATION", "15"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
SERVER = os.environ.get("BENCH_SERVER", "granian")
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hmr_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
LEGACY = os.environ.get("HMR_LEGACY_DATA_DIR", str(ROOT.parent / "shared" / "data" / "legacy"))

URLS = [
    ("v1 stable_diffusion", "/api/model_references/v1/stable_diffusion", {}),
    ("v2 image_generation", "/api/model_references/v2/image_generation", {}),
    ("v1 text_generation", "/api/model_references/v1/text_generation", {}),
    ("v2 single model", "/api/model_references/v2/text_generation/model/anthracite-org/magnum-12b-v2", {}),
    (
        "v2 search",
        "/api/model_references/v2/image_generation/search?baseline=stable_diffusion_xl&nsfw=false&limit=20",
        {},
    ),
    ("v1 stable_diffusion 304", "/api/model_references/v1/stable_diffusion", {"If-None-Match": "ETAG"}),
]


def env() -> dict:
    return {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "DEBUG": "false",
        "SECRET_KEY": "benchmark",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SETTINGS_MODULE": "hmr_site.settings.production",
        "SECURE_COOKIES": "false",
        "LOG_LEVEL": "WARNING",
    }


def need(tool: str, package: str) -> None:
    if shutil.which(tool):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", package], check=True, stdout=subprocess.DEVNULL)
    if not shutil.which(tool):
        sys.exit(f"{tool} is required (apt-get install {package})")


def prepare_database(*, load: bool = True) -> None:
    """Recreate the benchmark database and flush its Redis; `load`: import the real data."""
    name = DATABASE_URL.rsplit("/", 1)[1]
    admin = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(
        [
            PY,
            "-c",
            f"""
import psycopg
with psycopg.connect({admin!r}, autocommit=True) as c:
    c.execute('DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    c.execute('CREATE DATABASE "{name}"')
""",
        ],
        check=True,
    )
    subprocess.run([PY, "-c", f"import redis; redis.Redis.from_url({REDIS_URL!r}).flushdb()"], check=True)
    for command in (
        ["migrate", "-v0"],
        ["collectstatic", "--no-input", "-v0"],
        *([["import_references", "--legacy", LEGACY, "-v0"]] if load else []),
    ):
        subprocess.run([PY, "manage.py", *command], cwd=ROOT, env=env(), check=True)


def start_server(workers: int | None = None, cpus: str = SERVER_CPUS) -> subprocess.Popen:
    workers = str(workers or len(cpus.split(",")))  # one worker per CPU the server may run on
    if SERVER == "gunicorn":
        command = [
            str(ROOT / ".venv/bin/gunicorn"),
            "hmr_site.wsgi:application",
            "-b",
            f"127.0.0.1:{PORT}",
            "-w",
            workers,
            "--access-logfile",
            "/dev/null",
        ]
    else:
        command = [
            str(ROOT / ".venv/bin/granian"),
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(PORT),
            "--workers",
            workers,
            *GRANIAN_TUNING,
            "--log-level",
            "warning",
            "hmr_site.wsgi:application",
        ]
    process = subprocess.Popen(["taskset", "-c", cpus, *command], cwd=ROOT, env=env())
    wait_for(f"http://127.0.0.1:{PORT}/api/heartbeat")
    return process


def wait_for(url: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"{url} did not answer")


def start_nginx(static: Path) -> subprocess.Popen:
    config = static / "nginx.conf"
    config.write_text(f"""
daemon off; worker_processes 1; pid {static}/nginx.pid; error_log {static}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off; sendfile on; tcp_nopush on; keepalive_requests 100000;
  default_type application/json; etag on;
  client_body_temp_path {static}/tmp; proxy_temp_path {static}/tmp; fastcgi_temp_path {static}/tmp;
  uwsgi_temp_path {static}/tmp; scgi_temp_path {static}/tmp;
  server {{ listen 127.0.0.1:{NGINX_PORT}; root {static}/root; location / {{ try_files $uri/body =404; }} }}
}}
""")
    (static / "tmp").mkdir(exist_ok=True)
    process = subprocess.Popen(
        ["taskset", "-c", SERVER_CPUS, shutil.which("nginx"), "-c", str(config), "-p", str(static)]
    )
    time.sleep(0.5)
    return process


def mirror(static: Path) -> dict[str, str]:
    """Fetch each URL from our server once; store the bytes for nginx. Returns our ETags."""
    etags = {}
    for _, path, _ in URLS:
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}") as response:
            body = response.read()
            etags[path] = response.headers["ETag"]
        target = static / "root" / path.lstrip("/").replace("?", "_") / "body"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    for path in static.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return etags


def wrk(url: str, headers: dict) -> dict:
    command = ["taskset", "-c", LOAD_CPUS, "wrk", "-t1", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--latency"]
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50": _ms(out, "50%"),
        "p99": _ms(out, "99%"),
        "errors": int(non2xx.group(1)) if non2xx else 0,
    }


def _ms(out: str, label: str) -> float:
    value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def median_of(runs: list[dict]) -> dict:
    return {k: statistics.median(r[k] for r in runs) for k in ("rps", "p50", "p99", "errors")}


def main() -> None:
    need("wrk", "wrk")
    need("nginx", "nginx-light")
    prepare_database()
    server = start_server()
    static = Path(tempfile.mkdtemp(prefix="hmr-bench-"))
    static.chmod(0o755)  # nginx's workers run as an unprivileged user
    nginx = None
    try:
        etags = mirror(static)
        nginx = start_nginx(static)
        rows = []
        for label, path, headers in URLS:
            headers = {k: etags[path] if v == "ETAG" else v for k, v in headers.items()}
            ours = median_of([wrk(f"http://127.0.0.1:{PORT}{path}", headers) for _ in range(RUNS)])
            nginx_path = "/" + path.lstrip("/").replace("?", "_")
            theirs = median_of([wrk(f"http://127.0.0.1:{NGINX_PORT}{nginx_path}", {}) for _ in range(RUNS)])
            rows.append((label, ours, theirs))
            print(f"  measured {label}", file=sys.stderr)
    finally:
        server.terminate()
        if nginx:
            nginx.terminate()
    print(
        f"\nserver: {SERVER} on CPU 0 (1 worker), wrk on CPU 1, {CONNECTIONS} connections, {DURATION} s, "
        f"median of {RUNS}; nginx on CPU 0 serving the same bytes (its 200)"
    )
    print(f"{'url':<26}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'nginx req/s':>13}{'ratio':>8}")
    for label, ours, theirs in rows:
        print(
            f"{label:<26}{ours['rps']:>10.0f}{ours['p50']:>9.2f}{ours['p99']:>9.2f}{theirs['rps']:>13.0f}"
            f"{ours['rps'] / theirs['rps']:>8.1%}"
            + (f"  ({ours['errors']:.0f} errors)" if ours["errors"] else "")
        )
    print(
        json.dumps({label: {"ours": ours, "nginx": theirs} for label, ours, theirs in rows}), file=sys.stderr
    )


if __name__ == "__main__":
    main()

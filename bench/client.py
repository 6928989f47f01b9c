"""The Python library against the production server: hmr-client vs the replaced client, same run.

Starts the production server (granian, 1 worker, pinned on CPU 0, as bench/run does) on the real
legacy data, then runs fresh Python processes pinned on CPU 1, alternating between the two
libraries, and reports medians over `BENCH_PROCESSES` (20) processes of:

- import: the library's import (`from <library> import ModelReferenceManager`), interpreter start
  excluded;
- cold start: construct the manager and load every category as typed records
  (`get_all_model_references()`), with an empty cache directory;
- refresh: `get_all_model_references(overwrite_existing=True)` right after, when nothing changed
  (hmr-client: every category answers 304);
- a restart: the cold start again, in a new process, with the cache directory the previous one
  left (hmr-client revalidates its disk copies: 13 conditional GETs, all 304);
- the client process's CPU time for the import and the cold start (what a busy machine inflates
  less than wall time; it leaves out the waits for the server).

The replaced client is PyPI `horde-model-reference` (REPLICA mode, `primary_api_url` = this
server; its GitHub fallback off, and any request that would leave this machine goes to a dead
proxy). It needs Python 3.12+ and its own venv, outside the repository (HOW_TO_CREATE below).

hmr-client runs in the project's venv unless `--client-python` names another interpreter with it
installed (the project's venv also holds the test tools: selenium brings trio, which httpcore
imports when it is installed, a cost a worker's venv does not have). To make a venv like a
worker's: `python3 -m venv /tmp/hmr-client-venv && /tmp/hmr-client-venv/bin/pip install ./clients/python`.

Usage: .venv/bin/python bench/client.py [--upstream-python PY] [--client-python PY]
Environment: BENCH_UPSTREAM_PYTHON (default /tmp/upstream-client/bin/python), BENCH_CLIENT_PYTHON
(default .venv/bin/python), BENCH_PROCESSES (20), BENCH_DATABASE_URL
(postgres://postgres@127.0.0.1:5432/hmr_bench_client, recreated), BENCH_REDIS_URL
(redis://127.0.0.1:6379/13, flushed), HMR_LEGACY_DATA_DIR (../shared/data/legacy).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hmr_bench_client")
os.environ.setdefault("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
sys.path.insert(0, str(ROOT / "bench"))

import readbench  # noqa: E402  (database set-up and the production server, shared with bench/run)

readbench.PORT = 8110  # not bench/run's port, so both can be set up side by side
CLIENT_CPU = "1"
PROCESSES = int(os.environ.get("BENCH_PROCESSES", "20"))
API = f"http://127.0.0.1:{readbench.PORT}/api"
HOW_TO_CREATE = """    python3.12 -m venv /tmp/upstream-client
    /tmp/upstream-client/bin/pip install horde-model-reference==8.6.2"""

OURS = """
import json, sys, time
started, started_cpu = time.perf_counter(), time.process_time()
from hmr_client import ModelReferenceManager
imported, imported_cpu = time.perf_counter(), time.process_time()
manager = ModelReferenceManager(sys.argv[1], cache_dir=sys.argv[2])
references = manager.get_all_model_references()
loaded, loaded_cpu = time.perf_counter(), time.process_time()
manager.get_all_model_references(overwrite_existing=True)
refreshed = time.perf_counter()
sources = {manager.cache_status(c).source for c in references}
print(json.dumps({"import": imported - started, "cold": loaded - imported, "refresh": refreshed - loaded,
                  "import_cpu": imported_cpu - started_cpu, "cold_cpu": loaded_cpu - imported_cpu,
                  "records": sum(len(r) for r in references.values()), "sources": sorted(sources)}))
"""

UPSTREAM = """
import json, sys, time
started, started_cpu = time.perf_counter(), time.process_time()
from horde_model_reference.model_reference_manager import ModelReferenceManager
imported, imported_cpu = time.perf_counter(), time.process_time()
manager = ModelReferenceManager()
references = manager.get_all_model_references()
loaded, loaded_cpu = time.perf_counter(), time.process_time()
manager.get_all_model_references(overwrite_existing=True)
refreshed = time.perf_counter()
print(json.dumps({"import": imported - started, "cold": loaded - imported, "refresh": refreshed - loaded,
                  "import_cpu": imported_cpu - started_cpu, "cold_cpu": loaded_cpu - imported_cpu,
                  "records": sum(len(r) for r in references.values())}))
"""


def upstream_env(cache: str) -> dict:
    return {
        **os.environ,
        "HORDE_MODEL_REFERENCE_REPLICATE_MODE": "REPLICA",
        "HORDE_MODEL_REFERENCE_PRIMARY_API_URL": API,
        "HORDE_MODEL_REFERENCE_ENABLE_GITHUB_FALLBACK": "false",
        "AIWORKER_CACHE_HOME": cache,
        # Nothing may leave this machine: whatever is not for the local server goes to a dead proxy.
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "ALL_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "127.0.0.1,localhost",
        "LOGURU_LEVEL": "WARNING",
    }


def run(python: str, script: str, args: list[str], env: dict) -> dict:
    done = subprocess.run(
        ["taskset", "-c", CLIENT_CPU, python, "-c", script, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    if done.returncode != 0:
        sys.exit(f"{python} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--upstream-python",
        default=os.environ.get("BENCH_UPSTREAM_PYTHON", "/tmp/upstream-client/bin/python"),
        help="python of a venv with horde-model-reference installed",
    )
    parser.add_argument(
        "--client-python",
        default=os.environ.get("BENCH_CLIENT_PYTHON", str(ROOT / ".venv" / "bin" / "python")),
        help="python of a venv with hmr-client installed",
    )
    options = parser.parse_args()
    probe = subprocess.run(
        [options.upstream_python, "-c", "import horde_model_reference.model_reference_manager"],
        capture_output=True,
        env=upstream_env(tempfile.gettempdir()),
    )
    if probe.returncode != 0:
        sys.exit(f"No horde-model-reference at {options.upstream_python}. Create it with\n{HOW_TO_CREATE}")
    readbench.prepare_database()
    server = readbench.start_server()
    load_before = os.getloadavg()[0]
    ours_python = options.client_python
    samples: dict[str, list[dict]] = {"ours": [], "restart": [], "upstream": [], "upstream restart": []}
    try:
        with tempfile.TemporaryDirectory(prefix="hmr-client-bench-") as scratch:
            for index in range(PROCESSES):
                cold_dir = f"{scratch}/ours-{index}"
                samples["ours"].append(run(ours_python, OURS, [API, cold_dir], dict(os.environ)))
                samples["restart"].append(run(ours_python, OURS, [API, cold_dir], dict(os.environ)))
                upstream_dir = f"{scratch}/upstream-{index}"
                os.mkdir(upstream_dir)
                samples["upstream"].append(
                    run(options.upstream_python, UPSTREAM, [], upstream_env(upstream_dir))
                )
                samples["upstream restart"].append(
                    run(options.upstream_python, UPSTREAM, [], upstream_env(upstream_dir))
                )
                print(f"  process {index + 1}/{PROCESSES}", file=sys.stderr)
    finally:
        server.terminate()
        server.wait()
    load = (load_before, os.getloadavg()[0])
    report(samples, ours_python, options.upstream_python, load)


def report(
    samples: dict[str, list[dict]], ours_python: str, upstream_python: str, load: tuple[float, float]
) -> None:
    def median_ms(kind: str, metric: str) -> float:
        return statistics.median(s[metric] for s in samples[kind]) * 1000

    records = {kind: {s["records"] for s in runs} for kind, runs in samples.items()}
    restart_sources = {source for s in samples["restart"] for source in s["sources"]}
    print(
        f"\nserver: granian (1 worker) on CPU 0; clients on CPU {CLIENT_CPU}; median of {PROCESSES} fresh "
        f"processes; records loaded: hmr-client {sorted(records['ours'])}, "
        f"horde-model-reference {sorted(records['upstream'])}\n"
        f"hmr-client: {ours_python} ({_has_trio(ours_python)}); "
        f"horde-model-reference: {upstream_python} ({_has_trio(upstream_python)}); "
        f"load average {load[0]:.1f} at the start, {load[1]:.1f} at the end ({os.cpu_count()} CPUs)"
    )
    print(f"{'measure':<34}{'hmr-client':>12}{'upstream':>12}{'speed-up':>10}{'target':>10}")
    rows = [
        ("import", "import", 100),
        ("cold start (every category)", "cold", 150),
        ("refresh, nothing changed", "refresh", 30),
    ]
    for label, metric, target in rows:
        ours, theirs = median_ms("ours", metric), median_ms("upstream", metric)
        verdict = "met" if ours <= target and theirs / ours >= 3 else "MISSED"
        print(f"{label:<34}{ours:>10.1f}ms{theirs:>10.1f}ms{theirs / ours:>9.1f}x  ≤{target} ms {verdict}")
    for label, metric in (("import, CPU time", "import_cpu"), ("cold start, CPU time", "cold_cpu")):
        ours, theirs = median_ms("ours", metric), median_ms("upstream", metric)
        print(f"{label:<34}{ours:>10.1f}ms{theirs:>10.1f}ms{theirs / ours:>9.1f}x")
    ours = median_ms("ours", "import") + median_ms("ours", "cold")
    theirs = median_ms("upstream", "import") + median_ms("upstream", "cold")
    print(f"{'import + cold start':<34}{ours:>10.1f}ms{theirs:>10.1f}ms{theirs / ours:>9.1f}x")
    ours, theirs = median_ms("restart", "cold"), median_ms("upstream restart", "cold")
    print(
        f"{'restart with the cache of the last':<34}{ours:>10.1f}ms{theirs:>10.1f}ms{theirs / ours:>9.1f}x"
        f"  (hmr-client sources: {', '.join(sorted(restart_sources))})"
    )
    print(json.dumps(samples), file=sys.stderr)


def _has_trio(python: str) -> str:
    found = subprocess.run([python, "-c", "import importlib.util as u; print(bool(u.find_spec('trio')))"],
                           capture_output=True, text=True)  # fmt: skip
    return "with trio" if found.stdout.strip() == "True" else "no trio"


if __name__ == "__main__":
    main()

"""Importing the library is cheap and makes no request: no httpx, no pydantic, no socket."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, socket, sys, time
def refuse(*args, **kwargs):
    raise AssertionError("a connection was attempted at import time")
socket.socket.connect = refuse
socket.create_connection = refuse
started = time.perf_counter()
import hmr_client
from hmr_client import ModelReferenceManager, Category, PrefetchStrategy
elapsed = time.perf_counter() - started
print(json.dumps({"heavy": sorted(m for m in ("httpx", "httpcore", "pydantic", "asyncio") if m in sys.modules),
                  "seconds": elapsed}))
"""


def test_the_import_loads_neither_httpx_nor_pydantic_and_connects_nowhere():
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["heavy"] == []


def test_record_classes_are_still_importable_from_the_package():
    done = subprocess.run(
        [sys.executable, "-c", "from hmr_client import TextGenerationModelRecord as T; print(T.__module__)"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() == "hmr_client.records"


def test_no_module_of_the_library_imports_django_or_the_servers_code():
    modules = [
        "hmr_client." + m
        for m in ("cache", "categories", "cli", "errors", "manager", "query", "records", "store", "transport")
    ]
    probe = f"import sys; import {', '.join(modules)}; print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'apps', 'hmr_site')))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.strip()) == (0, "[]"), done.stderr

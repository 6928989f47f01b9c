"""Soak: concurrent searches and category reads for SOAK_SECONDS while the data is re-imported.

Two versions of the real legacy data alternate (A: as is; B: 20 image and 20 text descriptions
changed) through `manage.py import_references` in its own process every SOAK_IMPORT_EVERY
seconds, while client threads read documents, single records and searches from a production
server with two worker processes. Every response must be complete and from one version: the v1
document equals A's or B's file byte for byte; a v2 document, a record or a search page never
mixes descriptions of A and B. Any error, mix or request slower than 10 s fails the run.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import readbench  # shares the server and database set-up

SECONDS = int(os.environ.get("SOAK_SECONDS", "120"))
IMPORT_EVERY = float(os.environ.get("SOAK_IMPORT_EVERY", "3"))
CLIENTS = int(os.environ.get("SOAK_CLIENTS", "8"))
BASE = f"http://127.0.0.1:{readbench.PORT}"
EDITED = " [soak B]"


def make_version_b(source: Path, target: Path) -> tuple[set[str], set[str]]:
    shutil.copytree(source, target)
    image = json.loads((target / "image/stable_diffusion.json").read_text())
    image_names = set(list(image)[:20])
    text = (source / "image/stable_diffusion.json").read_bytes()
    for key in image_names:
        old = json.dumps(image[key]["description"])[1:-1].encode()
        text = text.replace(
            f'"description": "{old.decode()}"'.encode(),
            f'"description": "{old.decode()}{EDITED}"'.encode(),
            1,
        )
    (target / "image/stable_diffusion.json").write_bytes(text)
    lines = (source / "text/models.csv").read_bytes().decode().split("\r\n")
    text_names = set()
    for index in range(1, 40, 2):
        cells = lines[index].split(",")
        if cells[5] == "" and '"' not in lines[index]:
            cells[5] = f"soak{EDITED}"
            text_names.add(cells[0])
            lines[index] = ",".join(cells)
    (target / "text/models.csv").write_bytes("\r\n".join(lines).encode())
    return image_names, text_names


class Soak:
    def __init__(self, a: Path, b: Path, edited_names: set[str]) -> None:
        self.edited_names = edited_names
        self.sd = {
            "A": (a / "image/stable_diffusion.json").read_bytes(),
            "B": (b / "image/stable_diffusion.json").read_bytes(),
        }
        self.failures: list[str] = []
        self.latencies: list[float] = []
        self.counts = {"A": 0, "B": 0, "either": 0}
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def fail(self, message: str) -> None:
        with self.lock:
            self.failures.append(message)

    def version_of(self, records: list[dict]) -> str | None:
        """A or B by the records that differ between them; None for a mix or a foreign edit."""
        flags = set()
        for record in records:
            edited = (record.get("description") or "").endswith(EDITED)
            if record["name"] in self.edited_names:
                flags.add(edited)
            elif edited:
                return None
        if len(flags) > 1:
            return None
        return "either" if not flags else ("B" if flags == {True} else "A")

    def check(self, path: str, response: requests.Response) -> None:
        if response.status_code != 200:
            return self.fail(f"{path}: HTTP {response.status_code}")
        if path.endswith("/v1/stable_diffusion"):
            version = next((v for v, body in self.sd.items() if body == response.content), None)
            if version is None:
                return self.fail(f"{path}: bytes match neither version")
        else:
            body = response.json()
            records = (
                body["results"]
                if "results" in body
                else ([body] if "record_type" in body else list(body.values()))
            )
            version = self.version_of(records)
            if version is None:
                return self.fail(f"{path}: a mix of both versions")
        with self.lock:
            self.counts[version] += 1

    def client(self, paths: list[str]) -> None:
        session = requests.Session()
        index = 0
        while not self.stop.is_set():
            path = paths[index % len(paths)]
            index += 1
            started = time.monotonic()
            try:
                response = session.get(BASE + path, timeout=10)
            except requests.RequestException as exc:
                self.fail(f"{path}: {exc.__class__.__name__}")
                continue
            with self.lock:
                self.latencies.append(time.monotonic() - started)
            self.check(path, response)


def importer(soak: Soak, a: Path, b: Path) -> int:
    runs = 0
    env = readbench.env()
    while not soak.stop.wait(IMPORT_EVERY):
        source = b if runs % 2 == 0 else a
        result = subprocess.run(
            [readbench.PY, "manage.py", "import_references", "--legacy", str(source), "-v0"],
            cwd=readbench.ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode:
            soak.fail(f"import failed: {result.stderr[-300:]}")
        runs += 1
    return runs


def main() -> None:
    readbench.prepare_database()
    workdir = Path(tempfile.mkdtemp(prefix="hmr-soak-"))
    a = Path(readbench.LEGACY)
    b = workdir / "b"
    image_names, text_names = make_version_b(a, b)
    server = readbench.start_server(workers=2, cpus="0,1")
    soak = Soak(a, b, image_names | text_names)
    text_name = sorted(text_names)[0]
    image_name = sorted(image_names)[0]
    paths = [
        "/api/model_references/v1/stable_diffusion",
        "/api/model_references/v2/image_generation",
        "/api/model_references/v2/text_generation",
        f"/api/model_references/v2/text_generation/model/{text_name}",
        f"/api/model_references/v2/image_generation/model/{requests.utils.quote(image_name)}",
        "/api/model_references/v2/image_generation/search?limit=40",
        "/api/model_references/v2/text_generation/search?limit=30&sort_by=name",
        "/api/model_references/v2/search?name_contains=a&limit=50",
    ]
    threads = [threading.Thread(target=soak.client, args=(paths[i:] + paths[:i],)) for i in range(CLIENTS)]
    imports = []
    import_thread = threading.Thread(target=lambda: imports.append(importer(soak, a, b)))
    try:
        for thread in [*threads, import_thread]:
            thread.start()
        time.sleep(SECONDS)
    finally:
        soak.stop.set()
        for thread in [*threads, import_thread]:
            thread.join(timeout=30)
        server.terminate()
        shutil.rmtree(workdir, ignore_errors=True)
    latencies = sorted(soak.latencies)
    p99 = latencies[int(len(latencies) * 0.99)] * 1000 if latencies else 0
    median = statistics.median(latencies) * 1000 if latencies else 0
    counts = soak.counts
    print(f"soak: {SECONDS} s, {CLIENTS} clients, {sum(imports)} imports, {len(latencies)} requests")
    print(f"  by version: A {counts['A']}, B {counts['B']}, either {counts['either']}")
    print(
        f"  latency: median {median:.1f} ms, p99 {p99:.1f} ms, max {max(latencies, default=0) * 1000:.0f} ms"
    )
    if soak.failures:
        print(f"FAILED: {len(soak.failures)} bad responses, e.g. {soak.failures[:5]}")
        sys.exit(1)
    print("OK: every response complete and from one version; no request failed or hung")


if __name__ == "__main__":
    main()

"""A fake HMR server at the HTTP level (the library's outside world) and the documents it serves.

`FakeHMR` serves `/api/model_references/v2/{category}` with ETag, If-None-Match/304 and gzip like
the real server, the pending channel behind an API key, and the metadata endpoints. It logs every
request (path, If-None-Match, API key, status) and can answer slowly, fail with a status, or stop
(HTTP/1.0: no connection outlives a response, so a stopped server is really gone). The documents
are small but shaped as the real server's v2 documents (names with "/", downloads, metadata).
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API = "/api/model_references/v2"
APIKEY = "test-api-key-000001"
CATEGORIES = [
    "blip", "clip", "codeformer", "controlnet", "controlnet_annotator", "esrgan", "gfpgan",
    "safety_checker", "image_generation", "text_generation", "video_generation", "audio_generation",
    "miscellaneous",
]  # fmt: skip


def _meta():
    return {"schema_version": "2.0.0", "created_at": 1767323045, "updated_at": 1767323045}


def _download(name, url, sha="FIXME"):
    return {"file_name": name, "file_url": url, "sha256sum": sha, "known_slow_download": False}


def image(name, baseline, *, nsfw=False, inpainting=False, tags=(), size=2132625894, style="generalist"):
    return {
        "record_type": "image_generation",
        "name": name,
        "description": f"{name}, a {baseline} model.",
        "version": "1.0",
        "metadata": _meta(),
        "config": {
            "download": [_download(f"{name}.safetensors", f"https://huggingface.co/h/{name}", "ab" * 32)]
        },
        "model_classification": {"domain": "image", "purpose": "generation"},
        "size_on_disk_bytes": size,
        "inpainting": inpainting,
        "baseline": baseline,
        "tags": list(tags),
        "showcases": [],
        "trigger": [],
        "nsfw": nsfw,
        "style": style,
    }


def text(name, parameters, *, tags=(), style="generalist", group=None, nsfw=False):
    return {
        "record_type": "text_generation",
        "name": name,
        "description": "",
        "version": "",
        "metadata": _meta(),
        "config": {"download": []},
        "model_classification": {"domain": "text", "purpose": "generation"},
        "baseline": "",
        "parameters": parameters,
        "nsfw": nsfw,
        "style": style,
        "display_name": name.split("/")[-1].replace("-", " "),
        "url": f"https://huggingface.co/{name}",
        "tags": list(tags),
        "text_model_group": group,
    }


def controlnet(name, style):
    return {
        "record_type": "controlnet",
        "name": name,
        "description": f"{style} for sd1.x",
        "version": "0.1.0",
        "metadata": _meta(),
        "config": {"download": [_download(f"{name}.safetensors", f"https://huggingface.co/c/{name}")]},
        "model_classification": {"domain": "image", "purpose": "auxiliary_or_patch"},
        "controlnet_style": style,
    }


def utility(category, name, purpose, **extra):
    return {
        "record_type": category,
        "name": name,
        "metadata": _meta(),
        "config": {"download": [_download(f"{name}.pt", f"https://huggingface.co/u/{name}.pt")]},
        "model_classification": {"domain": "image", "purpose": purpose},
        **extra,
    }


def documents() -> dict[str, dict]:
    images = [
        image("AlbedoBase XL (SDXL)", "stable_diffusion_xl", size=6776583201),
        image("Anything Diffusion", "stable_diffusion_1", nsfw=True, tags=["anime"], style="anime"),
        image("Deliberate", "stable_diffusion_1", tags=["realistic", "portrait"], size=None),
        image("Inpainting 1.5", "stable_diffusion_1", inpainting=True, tags=["inpainting"]),
        image("Juggernaut XL", "stable_diffusion_xl", nsfw=True, tags=["realistic"], size=6938040682),
    ]
    texts = [
        text(
            "anthracite-org/magnum-12b-v2", 12_000_000_000, tags=["story"], style="roleplay", group="magnum"
        ),
        text("ReadyArt/Broken-Tutu-24B-Q4_K_M", 24_000_000_000, group="Broken-Tutu"),
        text("ReadyArt/Broken-Tutu-24B", 24_000_000_000, tags=["story"], group="Broken-Tutu"),
        text("Aeala/Enterredaas-33b", 33_000_000_000, nsfw=True, group="Enterredaas"),
        text("koboldcpp-free-name", 7_000_000_000, group=None),
    ]
    docs = {c: {} for c in CATEGORIES}
    docs["image_generation"] = {r["name"]: r for r in images}
    docs["text_generation"] = {r["name"]: r for r in texts}
    docs["controlnet"] = {
        r["name"]: r
        for r in (
            controlnet("control_canny", "control_canny"),
            controlnet("control_depth", "control_depth"),
            controlnet("control_canny_sd2", "control_canny"),
        )
    }
    docs["clip"] = {
        "ViT-L/14": utility("clip", "ViT-L/14", "feature_extractor"),
        "coca_ViT-L-14": utility("clip", "coca_ViT-L-14", "feature_extractor", pretrained_name="coca"),
    }
    docs["esrgan"] = {"RealESRGAN_x4plus": utility("esrgan", "RealESRGAN_x4plus", "post_processing")}
    return docs


@dataclass
class Seen:
    path: str
    if_none_match: str | None
    apikey: str | None
    status: int


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64  # concurrent async reads must not overflow the listen backlog


class FakeHMR:
    def __init__(self) -> None:
        self.documents = documents()
        self.pending: dict[str, dict] = {}
        self.metadata: dict[str, dict] = {
            c: {"category": c, "last_updated": 1767323045 + i, "total_creates": len(self.documents[c])}
            for i, c in enumerate(CATEGORIES)
        }
        self.seen: list[Seen] = []
        self.delay = 0.0
        self.fail_status: int | None = None
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):
                pass

            def do_GET(self):
                status, body, headers = fake.answer(self.path, self.headers)
                fake.record(
                    Seen(self.path, self.headers.get("If-None-Match"), self.headers.get("apikey"), status)
                )
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api"
        self.stopped = False

    def record(self, seen: Seen) -> None:
        with self.lock:
            self.seen.append(seen)

    def stop(self) -> None:
        if not self.stopped:
            self.stopped = True
            self.server.shutdown()
            self.server.server_close()

    # --- what it answers ---

    @staticmethod
    def body_of(document) -> bytes:
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()

    def etag_of(self, category: str) -> str:
        return '"' + hashlib.sha256(self.body_of(self.documents[category])).hexdigest()[:32] + '"'

    def answer(self, path, headers):
        if self.delay:
            time.sleep(self.delay)
        if not path.startswith(API + "/"):
            return 404, b'{"detail":"Not Found"}', {}
        rest = path[len(API) + 1 :]
        if rest.startswith("metadata/"):
            return self._metadata(rest.removeprefix("metadata/"))
        if rest.endswith("/pending"):
            return self._pending(rest.removesuffix("/pending"), headers)
        if self.fail_status is not None:
            return self.fail_status, b'{"detail":"Service Unavailable"}', {}
        if rest not in self.documents:
            return 404, json.dumps({"detail": f"Model category '{rest}' not found"}).encode(), {}
        etag = self.etag_of(rest)
        validators = {"ETag": etag, "Cache-Control": "public, max-age=0, must-revalidate"}
        if headers.get("If-None-Match") in (etag, etag[:-1] + '-gzip"'):
            return 304, b"", validators
        body = self.body_of(self.documents[rest])
        if "gzip" in (headers.get("Accept-Encoding") or ""):
            validators["ETag"] = etag[:-1] + '-gzip"'
            return 200, gzip.compress(body), {**validators, "Content-Encoding": "gzip"}
        return 200, body, {**validators, "Content-Type": "application/json"}

    def _pending(self, category, headers):
        if headers.get("apikey") is None:
            return 401, b'{"detail":"Not authenticated"}', {}
        if headers.get("apikey") != APIKEY:
            return 401, b'{"detail":"Invalid API key"}', {}
        return 200, self.body_of(self.pending.get(category, {})), {"Content-Type": "application/json"}

    def _metadata(self, rest):
        if self.fail_status is not None:
            return 503, b'{"detail":"Metadata tracking is not supported in REPLICA mode"}', {}
        category, _, tail = rest.partition("/")
        meta = self.metadata[category]
        body = (
            {"category": category, "last_updated": meta["last_updated"]} if tail == "last_updated" else meta
        )
        return 200, json.dumps(body).encode(), {"Content-Type": "application/json"}

    # --- what it was asked ---

    def documents_asked(self) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.path.removeprefix(API + "/") in self.documents]

    def clear(self) -> None:
        with self.lock:
            self.seen.clear()

    def change(self, category: str, name: str, **fields) -> None:
        self.documents[category] = copy.deepcopy(self.documents[category])
        self.documents[category][name].update(fields)

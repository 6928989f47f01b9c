"""Fake file hosts at the HTTP level (the `responses` library), and a fake DNS.

`FakeDns` answers the download checker's look-ups (apps.verification.addresses.getaddrinfo):
registered names get the addresses a test gives them, everything else does not resolve.

`FakeFileHosts` answers every request to a host it serves, with the headers the real hosts send:
Hugging Face's `resolve` URLs redirect to their CDN with `X-Linked-Etag`/`X-Linked-Size`, the CDN
answers the length, GitHub release assets redirect to objects.githubusercontent.com, civitai's
download URL redirects to a signed storage URL that refuses HEAD and has its SHA-256 in the
model-version API. A URL nobody registered on a served host answers 404. Every request is
recorded (method, URL, headers, start time), and the most requests in flight at once per host
are counted (`delay` keeps each request open a little so overlaps are real).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import responses

Answer = tuple[int, dict, str]
Handler = Callable[[object], Answer]


class FakeDns:
    def __init__(self) -> None:
        self.names: dict[str, list[str]] = {}
        self.asked: list[str] = []
        self._next = int(ipaddress.ip_address("54.230.0.10"))  # public (CloudFront-like) addresses

    def add(self, host: str, *addresses: str) -> None:
        if not addresses:
            addresses = (str(ipaddress.ip_address(self._next)),)
            self._next += 1
        self.names[host.lower()] = list(addresses)

    def getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):
        self.asked.append(host)
        found = self.names.get(str(host).lower())
        if found is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        infos = []
        for address in found:
            kind = socket.AF_INET6 if ":" in address else socket.AF_INET
            where = (address, port, 0, 0) if kind == socket.AF_INET6 else (address, port)
            infos.append((kind, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", where))
        return infos


@dataclass(frozen=True)
class Seen:
    method: str
    url: str
    headers: dict
    started: float


def sha_of(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class FakeFileHosts:
    def __init__(self, mock: responses.RequestsMock, dns: FakeDns) -> None:
        self.mock, self.dns = mock, dns
        self.routes: dict[tuple[str, str], Handler] = {}
        self.hosts: set[str] = set()
        self.seen: list[Seen] = []
        self.delay = 0.0
        self._lock = threading.Lock()
        self._in_flight: dict[str, int] = defaultdict(int)
        self.most_in_flight: dict[str, int] = defaultdict(int)

    # --- plumbing ---------------------------------------------------------------------------

    def serve(self, method: str, url: str, handler: Handler) -> None:
        host = urlsplit(url).hostname
        if host not in self.hosts:
            self.hosts.add(host)
            self.dns.add(host)
            pattern = re.compile(rf"https?://{re.escape(host)}(:\d+)?/.*")
            for verb in (responses.HEAD, responses.GET):
                self.mock.add_callback(verb, pattern, callback=self._answer)
        self.routes[(method, url)] = handler

    def _answer(self, request):
        host = urlsplit(request.url).hostname
        with self._lock:
            self.seen.append(Seen(request.method, request.url, dict(request.headers), time.monotonic()))
            self._in_flight[host] += 1
            self.most_in_flight[host] = max(self.most_in_flight[host], self._in_flight[host])
        try:
            if self.delay:
                time.sleep(self.delay)
            handler = self.routes.get((request.method, request.url))
            if handler is None:
                return 404, {"Content-Type": "text/plain"}, "Not Found"
            return handler(request)
        finally:
            with self._lock:
                self._in_flight[host] -= 1

    def requests_to(self, url_part: str = "") -> list[Seen]:
        return [s for s in self.seen if url_part in s.url]

    # --- what hosts answer ------------------------------------------------------------------

    def file(self, url: str, *, size: int, headers: dict | None = None, head: bool = True) -> str:
        """A plain file: HEAD (and GET) answer 200 with its length."""
        answer = {"Content-Type": "application/octet-stream", "Content-Length": str(size), **(headers or {})}
        self.serve("GET", url, lambda request: (200, answer, ""))
        if head:
            self.serve("HEAD", url, lambda request: (200, answer, ""))
        return url

    def status(self, url: str, code: int, *, headers: dict | None = None, body: str = "") -> str:
        answer = {"Content-Type": "text/plain; charset=utf-8", **(headers or {})}
        for method in ("HEAD", "GET"):
            self.serve(method, url, lambda request: (code, answer, body))
        return url

    def redirect(self, url: str, to: str, *, code: int = 302, headers: dict | None = None) -> str:
        answer = {"Location": to, "Content-Length": "0", **(headers or {})}
        for method in ("HEAD", "GET"):
            self.serve(method, url, lambda request: (code, answer, ""))
        return url

    def head_refused(self, url: str, *, size: int) -> str:
        """A host that answers HEAD with 405 and a one-byte range GET with 206."""
        self.serve("HEAD", url, lambda request: (405, {"Allow": "GET", "Content-Length": "0"}, ""))

        def ranged(request) -> Answer:
            if request.headers.get("Range") == "bytes=0-0":
                return 206, {"Content-Range": f"bytes 0-0/{size}", "Content-Length": "1"}, "x"
            return 200, {"Content-Length": str(size)}, ""

        self.serve("GET", url, ranged)
        return url

    def huggingface(self, repo: str, path: str, *, size: int, sha256: str, lfs: bool = True) -> str:
        """`https://huggingface.co/<repo>/resolve/main/<path>`: a 302 to the CDN with HF's headers."""
        return self.huggingface_url(
            f"https://huggingface.co/{repo}/resolve/main/{path}", size=size, sha256=sha256, lfs=lfs
        )

    def huggingface_url(self, url: str, *, size: int, sha256: str, lfs: bool = True) -> str:
        cdn = f"https://cdn-lfs-us-1.hf.co/repos/{sha256[:2]}/{sha256[2:4]}/{sha256}?X-Amz-Signature={sha_of(url)[:16]}"
        headers = {
            "Content-Type": "text/plain; charset=utf-8",
            "X-Repo-Commit": "9b5c0f3f1c4e4b7e8d2a6f0e1d3c5b7a9e8f6d4c",
            "Accept-Ranges": "bytes",
            "Vary": "Origin, Accept",
        }
        if lfs:
            headers |= {"X-Linked-Size": str(size), "X-Linked-Etag": f'"{sha256}"', "ETag": f'"{sha256}"'}
        self.redirect(url, cdn, headers=headers)
        self.file(
            cdn,
            size=size,
            headers={"ETag": '"5d41402abc4b2a76b9719d911017c592-415"', "Via": "1.1 x.cloudfront.net"},
        )
        return url

    def github_release(self, url: str, *, size: int) -> str:
        """A GitHub release asset: 302 to objects.githubusercontent.com, which answers the length."""
        asset = f"https://objects.githubusercontent.com/github-production-release-asset-2e65be/{sha_of(url)[:12]}?X-Amz-Signature=1"
        self.redirect(url, asset)
        return self.file(asset, size=size, headers={"ETag": f'"0x{sha_of(url)[:16].upper()}"'}) and url

    def huggingface_missing(self, repo: str, path: str, *, code: str = "EntryNotFound") -> str:
        url = f"https://huggingface.co/{repo}/resolve/main/{path}"
        status = 401 if code in ("RepoNotFound", "GatedRepo") else 404
        message = {"RepoNotFound": "Repository not found", "GatedRepo": "Access to this repo is restricted"}
        return self.status(
            url,
            status,
            headers={"X-Error-Code": code, "X-Error-Message": message.get(code, "Entry not found")},
        )

    def civitai(self, version: int, file_id: int, *, size: int, sha256: str, others: int = 1) -> str:
        """A civitai download: 307 to signed storage that refuses HEAD; the API has the SHA-256."""
        url = f"https://civitai.com/api/download/models/{version}?type=Model&format=SafeTensor&size=full&fp=fp16"
        return self.civitai_url(url, size=size, sha256=sha256, file_id=file_id, others=others)

    def civitai_url(
        self, url: str, *, size: int, sha256: str, file_id: int | None = None, others: int = 1
    ) -> str:
        parts = urlsplit(url)
        version = int(parts.path.rstrip("/").rsplit("/", 1)[1])
        query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
        file_id = int(query.get("fileId", file_id or version + 7))
        storage = (
            "https://civitai-delivery-worker-prod.5ac0637cfd0766c97916cefa3764fbdf.r2.cloudflarestorage.com"
            f"/model/{file_id}.safetensors?X-Amz-Signature=def"
        )
        self.redirect(url, storage, code=307, headers={"Content-Type": "text/plain"})
        self.serve("HEAD", storage, lambda request: (403, {"Content-Type": "application/xml"}, ""))
        self.serve(
            "GET",
            storage,
            lambda request: (206, {"Content-Range": f"bytes 0-0/{size}", "Content-Length": "1"}, "x"),
        )
        metadata = {
            "format": query.get("format", "SafeTensor"),
            "size": query.get("size", "pruned"),
            "fp": query.get("fp", "fp16"),
        }
        files = [
            {
                "id": file_id + n,
                "name": f"model_{n}.safetensors",
                "type": query.get("type", "Model"),
                "sizeKB": round(size / 1024, 2),
                "metadata": metadata if n == 0 else {**metadata, "fp": "fp32"},
                "hashes": {
                    "AutoV2": sha256[:10].upper(),
                    "SHA256": (sha256 if n == 0 else sha_of(str(n))).upper(),
                },
                "downloadUrl": f"https://civitai.com/api/download/models/{version}",
                "primary": n == 0,
            }
            for n in range(others + 1)
        ]
        body = json.dumps({"id": version, "modelId": 1, "name": "v1.0", "files": files})
        self.serve(
            "GET",
            f"https://civitai.com/api/v1/model-versions/{version}",
            lambda request: (200, {"Content-Type": "application/json"}, body),
        )
        return url

    def serve_specs(self, specs) -> None:
        """Answer every given URL as its host would, publishing exactly what the spec expects
        (a made-up hash where the record has none)."""
        for spec in specs:
            sha = spec.expected_sha256 or sha_of(spec.url)
            size = spec.expected_size if spec.expected_size is not None else 1_000_000 + len(spec.url)
            if spec.host == "huggingface.co":
                self.huggingface_url(spec.url, size=size, sha256=sha)
            elif spec.host == "github.com":
                self.github_release(spec.url, size=size)
            elif spec.host == "civitai.com":
                self.civitai_url(spec.url, size=size, sha256=sha)
            else:
                self.file(spec.url, size=size)

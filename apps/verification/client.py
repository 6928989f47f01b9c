"""The file host client: asks a host about one download URL without downloading it.

A HEAD request, redirects followed one hop at a time (each hop's host vetted, limited and paced
on its own); a host that refuses HEAD (400, 403, 405, 501) is asked again with a one-byte GET
(`Range: bytes=0-0`). Size and SHA-256 are read from the headers (headers.py), and from
civitai's model-version API where the answer carries no hash (hosts.py). Transient failures
(connection errors, timeouts, 429, 500/502/503/504) are retried with exponential backoff; nothing
else is. Requests carry HMR's User-Agent, no cookies and no proxy, and go only to public
addresses (addresses.py, enforced again at connect time by connections.py).
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urljoin, urlsplit

import requests
from urllib3.exceptions import NameResolutionError

from apps.verification import headers as h
from apps.verification.addresses import AddressRefused, vet
from apps.verification.connections import VettedAdapter
from apps.verification.hosts import civitai_api_url, civitai_file_sha256
from apps.verification.judge import Probe
from apps.verification.limits import HostGate

HEAD_REFUSED = {400, 403, 405, 501}
RETRIED_STATUSES = {429, 500, 502, 503, 504}
MAX_RETRY_AFTER_SECONDS = 60
MAX_API_BYTES = 2_000_000


@dataclass(frozen=True)
class ClientConfig:
    user_agent: str
    connect_timeout: float
    read_timeout: float
    retries: int
    backoff: float
    max_redirects: int


class _Transient(Exception):
    def __init__(self, kind: str, detail: str, wait: float | None = None) -> None:
        super().__init__(detail)
        self.kind, self.detail, self.wait = kind, detail, wait


class _Failed(Exception):
    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind, self.detail = kind, detail


class FileHostClient:
    def __init__(self, *, config: ClientConfig, gate: HostGate, sleep: Callable[[float], None] = time.sleep):
        self.config, self.gate, self.sleep = config, gate, sleep
        self.session = requests.Session()
        self.session.trust_env = False  # no proxies, no .netrc credentials from the environment
        self.session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        for scheme in ("http://", "https://"):
            self.session.mount(scheme, VettedAdapter(pool_connections=32, pool_maxsize=32, max_retries=0))
        self.session.headers.update(
            {"User-Agent": config.user_agent, "Accept": "*/*", "Accept-Encoding": "identity"}
        )

    def close(self) -> None:
        self.session.close()

    def probe(self, url: str) -> Probe:
        """What the host says about `url` (never raises for anything the host or network does)."""
        probe = self._walk(url, "HEAD")
        if probe.error is None and probe.status in HEAD_REFUSED:
            first = probe
            probe = self._walk(url, "GET")
            probe.requests += first.requests
            probe.sha256, probe.hash_source = (
                probe.sha256 or first.sha256,
                probe.hash_source or first.hash_source,
            )
            probe.notes.append(f"HEAD answered {first.status}, so a one-byte GET was sent")
        served = (
            probe.error is None and 200 <= (probe.status or 0) < 300 and not h.is_web_page(probe.content_type)
        )
        if served and probe.sha256 is None and (api := civitai_api_url(url)):
            self._civitai_hash(api, url, probe)
        return probe

    # --- one URL, hop by hop -----------------------------------------------------------------

    def _walk(self, url: str, method: str) -> Probe:
        probe, current = Probe(method=method), url
        extra = {"Range": "bytes=0-0"} if method == "GET" else {}
        for hop in range(self.config.max_redirects + 1):
            probe.final_url = current
            try:
                response = self._send(method, current, probe, extra)
            except _Failed as failed:
                probe.error, probe.detail = failed.kind, failed.detail
                return probe
            with response:
                self._evidence(response, probe)
                location = response.headers.get("Location")
                if not (response.is_redirect and location):
                    self._final(response, probe)
                    return probe
            if hop == self.config.max_redirects:
                break
            current = urljoin(current, location)
            probe.redirects += 1
        probe.error = "redirects"
        probe.detail = f"more than {self.config.max_redirects} redirects"
        return probe

    def _send(self, method: str, url: str, probe: Probe, extra: dict) -> requests.Response:
        """One request with retries of transient failures; raises _Failed when it gives up."""
        host, port = self._address(url)
        probe.attempts = 0
        for attempt in range(self.config.retries + 1):
            probe.attempts += 1
            last = attempt == self.config.retries
            try:
                return self._attempt(method, url, host, port, extra, probe, last=last)
            except _Transient as transient:
                if last:
                    raise _Failed(transient.kind, transient.detail) from None
                backoff = self.config.backoff * 2**attempt
                self.sleep(
                    backoff if transient.wait is None else min(transient.wait, MAX_RETRY_AFTER_SECONDS)
                )
        raise AssertionError("unreachable")

    def _address(self, url: str) -> tuple[str, int]:
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise _Failed("request", f"not a valid URL: {exc}") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise _Failed("scheme", f"only http:// and https:// URLs are checked, not {url[:80]!r}")
        return parts.hostname, port

    def _attempt(
        self, method: str, url: str, host: str, port: int, extra: dict, probe: Probe, *, last: bool
    ) -> requests.Response:
        try:
            vet(host, port)  # before the request, so a refusal says why and nothing is sent
            probe.requests += 1
            with self.gate.slot(host):
                response = self.session.request(
                    method,
                    url,
                    headers=extra,
                    allow_redirects=False,
                    stream=True,
                    timeout=(self.config.connect_timeout, self.config.read_timeout),
                )
        except AddressRefused as exc:
            raise _Failed("refused", str(exc)) from None
        except socket.gaierror:
            raise _Failed("dns", f"{host} does not resolve") from None
        except requests.Timeout as exc:
            kind = "connect" if isinstance(exc, requests.ConnectTimeout) else "read"
            seconds = self.config.connect_timeout if kind == "connect" else self.config.read_timeout
            raise _Transient(
                "timeout", f"{host} did not answer within {seconds:g} s ({kind} timeout)"
            ) from None
        except requests.exceptions.SSLError as exc:
            raise _Failed("tls", f"TLS failed with {host}: {_short(exc)}") from None
        except requests.ConnectionError as exc:
            if _caused_by(exc, NameResolutionError):
                raise _Failed("dns", f"{host} does not resolve") from None
            raise _Transient("connection", f"could not connect to {host}: {_short(exc)}") from None
        except requests.RequestException as exc:
            raise _Failed("request", f"request to {host} failed: {_short(exc)}") from None
        if response.status_code in RETRIED_STATUSES and not last:
            response.close()
            wait = h.digits(response.headers.get("Retry-After"))
            raise _Transient("status", f"{host} answered {response.status_code}", wait)
        return response

    # --- what the answers say ----------------------------------------------------------------

    def _evidence(self, response: requests.Response, probe: Probe) -> None:
        """Hashes and sizes any hop publishes (Hugging Face: on its redirect to the CDN)."""
        headers, host = response.headers, (urlsplit(response.url).hostname or "")
        linked = h.sha256_from_etag(headers.get("X-Linked-Etag"))
        etag = h.sha256_from_etag(headers.get("ETag")) if h.is_hugging_face(host) else None
        digest = h.sha256_from_digest(headers.get("Digest"), headers.get("Repr-Digest"))
        for value, source in ((linked, "X-Linked-Etag"), (digest, "Digest"), (etag, "ETag")):
            if value and probe.sha256 is None:
                probe.sha256, probe.hash_source = value, source
        linked_size = h.digits(headers.get("X-Linked-Size"))
        if linked_size is not None and probe.size is None:
            probe.size, probe.size_source = linked_size, "X-Linked-Size"
        probe.error_code = headers.get("X-Error-Code", probe.error_code)

    def _final(self, response: requests.Response, probe: Probe) -> None:
        headers = response.headers
        probe.status, probe.content_type = response.status_code, headers.get("Content-Type", "")
        encoded = headers.get("Content-Encoding", "identity").lower() not in ("", "identity")
        if response.status_code == 206:
            size, source = h.size_from_content_range(headers.get("Content-Range")), "Content-Range"
        elif response.status_code == 200 and not encoded:
            size, source = h.digits(headers.get("Content-Length")), "Content-Length"
        else:
            size, source = None, ""
        if size is not None:
            probe.size, probe.size_source = size, source

    def _civitai_hash(self, api: str, url: str, probe: Probe) -> None:
        asked = Probe(method="GET")
        try:
            response = self._send("GET", api, asked, {"Accept": "application/json"})
        except _Failed as failed:
            probe.notes.append(f"civitai API not reachable ({failed.detail})")
            return
        finally:
            probe.requests += asked.requests
        with response:
            if response.status_code != 200:
                probe.notes.append(f"civitai API answered {response.status_code}")
                return
            try:
                version = json.loads(response.raw.read(MAX_API_BYTES, decode_content=True))
            except (ValueError, requests.RequestException, OSError):
                probe.notes.append("civitai API answered something that is not JSON")
                return
        sha = civitai_file_sha256(version, url)
        if sha:
            probe.sha256, probe.hash_source = sha, "civitai API"


def _caused_by(exc: BaseException, kind: type) -> bool:
    """Whether `kind` is behind `exc` (requests wraps urllib3's MaxRetryError, which has a reason)."""
    pending, seen = [exc], set()
    while pending:
        current = pending.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, kind):
            return True
        pending += [a for a in getattr(current, "args", ()) if isinstance(a, BaseException)]
        pending += [getattr(current, "reason", None), current.__cause__, current.__context__]
    return False


def _short(exc: BaseException, length: int = 160) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= length else text[: length - 1] + "…"

"""HTTP with httpx: one pooled sync client (thread-safe) and one async client per event loop.

httpx is imported when the first request is made, never at import time. Requests ask for gzip and
send `If-None-Match` when a copy is held. The API key is sent only to the endpoints that need it,
so public reads stay on the server's fast path.
"""

from __future__ import annotations

import importlib
import ssl
import threading
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio

USER_AGENT = "hmr-client/0.1.0"


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    etag: str | None
    url: str


class TransportFailure(Exception):
    """No HTTP answer: the server could not be reached (`unreachable`), or the exchange broke off."""

    def __init__(self, message: str, *, unreachable: bool) -> None:
        super().__init__(message)
        self.unreachable = unreachable


def _failure(httpx: Any, error: Exception) -> TransportFailure:
    unreachable = isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout))
    return TransportFailure(f"{type(error).__name__}: {error}", unreachable=unreachable)


def _httpx() -> Any:
    return importlib.import_module("httpx")


class Transport:
    def __init__(self, base_url: str, *, timeout: float, apikey: str | None) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.apikey = apikey
        self._client: Any = None
        self._async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path}"

    def _options(self) -> dict[str, Any]:
        options: dict[str, Any] = {
            "timeout": self.timeout,
            "headers": {"User-Agent": USER_AGENT, "Accept": "application/json"},
        }
        if not self.base_url.startswith("https:"):
            # A plain-HTTP server needs no trust store; loading one costs a noticeable part of a
            # cold start. This context trusts nothing, so any TLS connection would fail to verify.
            options["verify"] = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        return options

    def _headers(self, etag: str | None, auth: bool) -> dict[str, str]:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if auth and self.apikey:
            headers["apikey"] = self.apikey
        return headers

    def get(self, path: str, *, etag: str | None = None, auth: bool = False) -> Answer:
        httpx = _httpx()
        with self._lock:
            if self._client is None:
                self._client = httpx.Client(**self._options())
            client = self._client
        url = self.url(path)
        try:
            response = client.get(url, headers=self._headers(etag, auth))
            body = response.content
        except httpx.HTTPError as error:
            raise _failure(httpx, error) from error
        return Answer(response.status_code, body, response.headers.get("etag"), url)

    async def aget(self, path: str, *, etag: str | None = None, auth: bool = False) -> Answer:
        import asyncio  # here, not at the top: asyncio is a noticeable part of an import

        httpx = _httpx()
        loop = asyncio.get_running_loop()
        client = self._async_clients.get(loop)
        if client is None:
            client = self._async_clients[loop] = httpx.AsyncClient(**self._options())
        url = self.url(path)
        try:
            response = await client.get(url, headers=self._headers(etag, auth))
            body = response.content
        except httpx.HTTPError as error:
            raise _failure(httpx, error) from error
        return Answer(response.status_code, body, response.headers.get("etag"), url)

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()
        self._async_clients.clear()  # their loops own their sockets; dropped with the loop

    async def aclose(self) -> None:
        import asyncio

        client = self._async_clients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.aclose()

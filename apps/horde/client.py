"""The AI-Horde public API, as HMR uses it: one typed function per endpoint (`find_user` for now).

Base URL `HMR_AI_HORDE_URL`; every call has the connect and read timeouts from settings. Failures
are three exceptions, so callers can answer each one differently:

- `HordeTimeout`: AI-Horde did not connect or answer in time;
- `HordeUnavailable`: any other transport failure, or a 200 that is not a JSON object;
- `HordeRejected`: AI-Horde answered with a status other than 200 (for find_user: the key is not
  valid, or AI-Horde is failing; `status` tells which).

API keys travel only in the `apikey` request header; nothing here logs or keeps them.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

import requests
from django.conf import settings

_session = requests.Session()  # keep-alive to AI-Horde; look-ups are rare (cached) but latency-bound


class HordeError(Exception):
    """AI-Horde could not answer the question."""


class HordeTimeout(HordeError):
    pass


class HordeUnavailable(HordeError):
    pass


class HordeRejected(HordeError):
    def __init__(self, status: int) -> None:
        super().__init__(f"AI-Horde answered HTTP {status}")
        self.status = status


@dataclass(frozen=True)
class FindUserResult:
    """The part of AI-Horde's `UserDetails` that HMR reads: `username` is "Name#id" for real users."""

    username: str


def find_user(*, apikey: str) -> FindUserResult:
    """GET `{HMR_AI_HORDE_URL}v2/find_user` with the `apikey` header: the user owning `apikey`.

    Raises HordeTimeout, HordeUnavailable or HordeRejected (see the module docstring). A 200 body
    without a string `username` gives `username=""`; callers decide what that means.
    """
    body = _get_json("v2/find_user", headers={"apikey": apikey})
    username = body.get("username")
    return FindUserResult(username=username if isinstance(username, str) else "")


def _get_json(path: str, *, headers: dict[str, str]) -> dict:
    url = urljoin(settings.HMR_AI_HORDE_URL, path)
    timeout = (settings.HMR_AI_HORDE_CONNECT_TIMEOUT_SECONDS, settings.HMR_AI_HORDE_READ_TIMEOUT_SECONDS)
    try:
        response = _session.get(url, headers=headers, timeout=timeout)
    except requests.Timeout as exc:
        raise HordeTimeout(f"AI-Horde did not answer {path} in time") from exc
    except requests.RequestException as exc:
        raise HordeUnavailable(f"AI-Horde is not reachable ({type(exc).__name__})") from exc
    if response.status_code != 200:
        raise HordeRejected(response.status_code)
    try:
        body = response.json()
    except ValueError as exc:
        raise HordeUnavailable(f"AI-Horde answered {path} with something that is not JSON") from exc
    if not isinstance(body, dict):
        raise HordeUnavailable(f"AI-Horde answered {path} with JSON that is not an object")
    return body

"""The verdict on one download: what the host answered (`Probe`, filled by client.py) against
what the record expects (`TargetSpec`). Pure functions; the reason is what a reviewer reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import urlsplit

from apps.verification.headers import is_login_url, is_web_page
from apps.verification.targets import TargetSpec

OK = "ok"
HASH_MISMATCH = "hash_mismatch"
SIZE_MISMATCH = "size_mismatch"
GONE = "gone"
LOGIN_REQUIRED = "login_required"
HOST_ERROR = "host_error"
TIMEOUT = "timeout"
REFUSED = "refused"


@dataclass
class Probe:
    """What the host said (or why it could not be asked)."""

    method: str = "HEAD"
    status: int | None = None
    final_url: str = ""
    redirects: int = 0
    content_type: str = ""
    size: int | None = None
    size_source: str = ""
    sha256: str | None = None
    hash_source: str = ""
    error_code: str = ""  # Hugging Face's X-Error-Code (GatedRepo, RepoNotFound, EntryNotFound)
    error: str | None = None  # refused, scheme, timeout, dns, connection, tls, redirects, request
    detail: str = ""
    attempts: int = 0  # of the last request (retries of transient failures included)
    requests: int = 0  # every request sent for this URL
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Verdict:
    outcome: str
    reason: str


def _phrase(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def _tries(probe: Probe) -> str:
    return "" if probe.attempts <= 1 else f" ({probe.attempts} attempts)"


def judge(spec: TargetSpec, probe: Probe) -> Verdict:
    verdict = (
        _failure(probe) or _refusal_by_status(probe) or _not_a_file(spec, probe) or _compare(spec, probe)
    )
    notes = "; ".join(probe.notes)
    return Verdict(verdict.outcome, f"{verdict.reason}; {notes}" if notes else verdict.reason)


def _failure(probe: Probe) -> Verdict | None:
    """The host could not be asked, or did not answer."""
    if probe.error is None:
        return None
    if probe.error in ("refused", "scheme"):
        return Verdict(REFUSED, probe.detail)
    if probe.error == "timeout":
        return Verdict(TIMEOUT, f"{probe.detail}{_tries(probe)}")
    return Verdict(HOST_ERROR, f"{probe.detail}{_tries(probe)}")


def _refusal_by_status(probe: Probe) -> Verdict | None:
    status = probe.status or 0
    code = f" ({probe.error_code})" if probe.error_code else ""
    if status in (404, 410):
        return Verdict(GONE, f"{_phrase(status)}{code}: the file is not at this URL")
    if status == 401 and probe.error_code == "RepoNotFound":
        return Verdict(GONE, f"{_phrase(status)}{code}: the repository does not exist (or is private)")
    if status in (401, 407):
        return Verdict(LOGIN_REQUIRED, f"{_phrase(status)}{code}: the host asks for a login")
    if status == 403:
        return Verdict(LOGIN_REQUIRED, f"{_phrase(status)}{code}: the host refuses anonymous downloads")
    if status == 429:
        return Verdict(HOST_ERROR, f"{_phrase(status)}: the host rate-limits HMR{_tries(probe)}")
    if status >= 500:
        return Verdict(HOST_ERROR, f"{_phrase(status)}{code}{_tries(probe)}")
    if not 200 <= status < 300:
        return Verdict(HOST_ERROR, f"unexpected answer {_phrase(status)}{code}")
    return None


def _not_a_file(spec: TargetSpec, probe: Probe) -> Verdict | None:
    """A 2xx web page where a model file was expected: a login wall or a wrong link."""
    pages = (".html", ".htm")
    if (
        not is_web_page(probe.content_type)
        or _path(spec.url).endswith(pages)
        or spec.file_name.endswith(pages)
    ):
        return None
    if is_login_url(probe.final_url):
        return Verdict(LOGIN_REQUIRED, f"redirected to a login page ({probe.final_url})")
    return Verdict(GONE, f"the URL serves a web page ({probe.content_type.split(';')[0]}), not the file")


def _compare(spec: TargetSpec, probe: Probe) -> Verdict:
    expected, remote = spec.expected_sha256, probe.sha256
    if expected and remote and expected != remote:
        return Verdict(
            HASH_MISMATCH,
            f"the host publishes SHA-256 {remote} ({probe.hash_source}); the record expects {expected}",
        )
    if spec.expected_size is not None and probe.size is not None and spec.expected_size != probe.size:
        return Verdict(
            SIZE_MISMATCH,
            f"the host serves {probe.size:,} bytes ({probe.size_source}); "
            f"the record says {spec.expected_size:,}",
        )
    return Verdict(
        OK, ", ".join([_phrase(probe.status or 200), _hash_words(spec, probe), _size_words(spec, probe)])
    )


def _hash_words(spec: TargetSpec, probe: Probe) -> str:
    if spec.expected_sha256 and probe.sha256:
        return f"SHA-256 matches ({probe.hash_source})"
    if probe.sha256:
        return f"the host publishes SHA-256 {probe.sha256} ({probe.hash_source}); the record has none"
    return "SHA-256 not published by the host"


def _size_words(spec: TargetSpec, probe: Probe) -> str:
    if probe.size is None:
        return "size not published by the host"
    if spec.expected_size is None:
        return f"{probe.size:,} bytes (the record gives no size)"
    return f"size matches ({probe.size:,} bytes)"


def _path(url: str) -> str:
    try:
        return urlsplit(url).path.lower()
    except ValueError:
        return ""

"""The one module that talks to the GitHub REST API (through PyGithub).

`RepoClient` offers the few operations the sync needs, in git terms: read a branch head, a commit,
the blob ids of some files, a blob; write one commit of whole files on top of a parent (Git Data
API: blobs, tree, commit), point a branch at it, and open, edit or close the pull request.
Errors come out as `GitHubUnavailable` (worth retrying: network, 5xx, rate limits) or
`GitHubError` (a refusal: bad credentials, missing repository or branch, invalid request).

Waits are bounded. Each call is retried up to HMR_GITHUB_RETRIES times on 5xx and rate limits,
with exponential backoff (HMR_GITHUB_RETRY_BACKOFF_SECONDS) or the wait GitHub asks for
(`Retry-After`, a secondary rate limit's minute, a primary limit's reset), but never a wait
longer than HMR_GITHUB_RETRY_WAIT_MAX_SECONDS: GitHub asking for more fails the call at once with
its own message (PyGithub and urllib3 alone would sleep the whole `Retry-After`, up to six hours
per retry), and the sync task retries later. The last answer of a call that keeps failing is
reported with its status and message, not as a bare "too many retries".
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from django.conf import settings
from github import Auth, Github, GithubException, GithubRetry, InputGitTreeElement, RateLimitExceededException
from github.GitCommit import GitCommit
from github.GitRef import GitRef
from github.GitTree import GitTree
from github.PullRequest import PullRequest
from urllib3.exceptions import InvalidHeader, MaxRetryError

from apps.core.errors import TransientError

logger = logging.getLogger(__name__)


class GitHubError(RuntimeError):
    """GitHub refused: credentials, permissions, a missing repository or branch, a bad request."""


class GitHubUnavailable(TransientError):
    """GitHub could not be reached or asked us to slow down; the same run may succeed later.

    `retry_after`: the seconds GitHub asked to wait (its `Retry-After`), when it said.
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def credentials_configured() -> bool:
    return bool(settings.HMR_GITHUB_TOKEN or settings.HMR_GITHUB_APP_ID)


def _auth() -> Auth.Auth | None:
    if settings.HMR_GITHUB_APP_ID:  # a GitHub App wins over a token, as upstream's sync tool does
        key = (
            settings.HMR_GITHUB_APP_PRIVATE_KEY or Path(settings.HMR_GITHUB_APP_PRIVATE_KEY_PATH).read_text()
        )
        app = Auth.AppAuth(int(settings.HMR_GITHUB_APP_ID), key)
        return app.get_installation_auth(int(settings.HMR_GITHUB_APP_INSTALLATION_ID))
    if settings.HMR_GITHUB_TOKEN:
        return Auth.Token(settings.HMR_GITHUB_TOKEN)
    return None


class BoundedRetry(GithubRetry):
    """PyGithub's retry that never sleeps longer than `max_rate_limit_wait` before a retry.

    GithubRetry bounds the waits it computes itself (secondary rate limit, primary reset) by
    `max_rate_limit_wait`, but leaves a `Retry-After` header to urllib3, which sleeps it whole.
    Here a `Retry-After` above the bound ends the retries at once: with `raise_on_status=False`
    urllib3 hands GitHub's answer back and PyGithub raises it (a rate limit, a 503).
    """

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        if response is not None and self.max_rate_limit_wait is not None:
            wait = _retry_after(self, response.headers.get("Retry-After"))
            if wait is not None and wait > self.max_rate_limit_wait:
                raise MaxRetryError(_pool, url, f"GitHub asked to retry after {wait:.0f} s")
        return super().increment(method, url, response, error, _pool, _stacktrace)


def _retry_after(retry: GithubRetry, value: str | None) -> float | None:
    if not value:
        return None
    try:
        return retry.parse_retry_after(value)
    except InvalidHeader:
        return None


def github_client() -> Github:
    """A client from the settings; anonymous (public reads only) when no credentials are set."""
    wait_max = settings.HMR_GITHUB_RETRY_WAIT_MAX_SECONDS
    retry = BoundedRetry(
        total=settings.HMR_GITHUB_RETRIES,
        backoff_factor=settings.HMR_GITHUB_RETRY_BACKOFF_SECONDS,
        backoff_max=wait_max,
        secondary_rate_wait=60,  # GitHub: "wait at least one minute" when it gives no Retry-After
        max_rate_limit_wait=wait_max,
        raise_on_status=False,  # the last answer is raised by PyGithub with GitHub's message
    )
    return Github(
        auth=_auth(),
        base_url=settings.HMR_GITHUB_API_URL,
        timeout=settings.HMR_HTTP_TIMEOUT_SECONDS,
        retry=retry,
        seconds_between_requests=None,
        seconds_between_writes=settings.HMR_GITHUB_WRITE_INTERVAL_SECONDS or None,
    )


def git_blob_sha(content: bytes) -> str:
    """The id git gives a file with these bytes: equal ids mean byte-identical files."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content, usedforsecurity=False).hexdigest()


@contextmanager
def _calls(what: str) -> Iterator[None]:
    try:
        yield
    except RateLimitExceededException as exc:
        raise GitHubUnavailable(
            f"{what}: GitHub rate limit reached{_rate_limit_detail(exc)}", retry_after=_asked_wait(exc)
        ) from exc
    except GithubException as exc:
        message = exc.data.get("message") if isinstance(exc.data, dict) else exc.data
        if exc.status >= 500 or exc.status == 429:
            raise GitHubUnavailable(
                f"{what}: GitHub answered {exc.status} ({message})", retry_after=_asked_wait(exc)
            ) from exc
        raise GitHubError(f"{what}: GitHub answered {exc.status} ({message})") from exc
    except requests.RequestException as exc:
        raise GitHubUnavailable(f"{what}: GitHub is not reachable ({exc.__class__.__name__})") from exc


def _asked_wait(exc: GithubException) -> float | None:
    """GitHub's `Retry-After` in seconds (the number form, the one GitHub sends), else None."""
    value = {k.lower(): v for k, v in (exc.headers or {}).items()}.get("retry-after", "")
    return float(value) if value.strip().isdigit() else None


def _rate_limit_detail(exc: GithubException) -> str:
    """ ", retry after 3600 s (GitHub's message)" from what GitHub answered, as far as it said."""
    headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
    after = headers.get("retry-after")
    message = exc.data.get("message") if isinstance(exc.data, dict) else None
    return (f", retry after {after} s" if after else "") + (f" ({message})" if message else "")


@dataclass(frozen=True)
class Commit:
    sha: str
    tree_sha: str
    parents: tuple[str, ...]


@dataclass(frozen=True)
class Pull:
    number: int
    url: str
    open: bool
    merged: bool
    head_sha: str
    title: str
    body: str


def _pull(pr) -> Pull:
    # `merged_at`, not `merged`: list responses carry only the former (the latter costs a GET).
    merged = pr.merged_at is not None
    return Pull(pr.number, pr.html_url, pr.state == "open", merged, pr.head.sha, pr.title, pr.body or "")


class RepoClient:
    """One repository (`owner/name`). Read methods never write; write methods are named for it."""

    def __init__(self, gh: Github, full_name: str) -> None:
        self.full_name = full_name
        self.owner = full_name.split("/", 1)[0]
        self._gh = gh
        self._repo = None
        self._commits: dict[str, GitCommit] = {}
        self._trees: dict[str, GitTree] = {}
        self._refs: dict[str, GitRef] = {}
        self._pulls: dict[int, PullRequest] = {}

    @property
    def repo(self):
        if self._repo is None:
            with _calls(f"reading repository {self.full_name}"):
                self._repo = self._gh.get_repo(self.full_name)
        return self._repo

    # --- reads -----------------------------------------------------------------------------------

    def branch_head(self, branch: str) -> str | None:
        """The commit a branch points at, or None when the branch does not exist."""
        with _calls(f"reading branch {branch} of {self.full_name}"):
            try:
                ref = self.repo.get_git_ref(f"heads/{branch}")
                sha = ref.object.sha
            except GithubException as exc:
                if exc.status == 404:
                    return None
                raise
        self._refs[branch] = ref
        return sha

    def _git_commit(self, sha: str) -> GitCommit:
        if sha not in self._commits:
            with _calls(f"reading commit {sha[:12]} of {self.full_name}"):
                self._commits[sha] = self.repo.get_git_commit(sha)
        return self._commits[sha]

    def commit(self, sha: str) -> Commit:
        commit = self._git_commit(sha)
        return Commit(commit.sha, commit.tree.sha, tuple(p.sha for p in commit.parents))

    def _tree(self, sha: str) -> GitTree:
        if sha not in self._trees:
            with _calls(f"reading tree {sha[:12]} of {self.full_name}"):
                self._trees[sha] = self.repo.get_git_tree(sha)
        return self._trees[sha]

    def file_blobs(self, tree_sha: str, paths: list[str]) -> dict[str, str | None]:
        """Blob id of each path in the tree (None when the file is absent)."""
        found: dict[str, str | None] = {}
        for path in paths:
            sha: str | None = tree_sha
            for part in path.split("/"):
                entries = {e.path: e for e in self._tree(sha).tree}
                entry = entries.get(part)
                sha = entry.sha if entry is not None else None
                if sha is None:
                    break
            found[path] = sha
        return found

    def blob(self, sha: str) -> bytes:
        with _calls(f"reading blob {sha[:12]} of {self.full_name}"):
            return base64.b64decode(self.repo.get_git_blob(sha).content)

    def latest_pull(self, *, branch: str, base: str) -> Pull | None:
        """The most recent pull request from `branch` into `base`, open or not."""
        with _calls(f"listing pull requests of {self.full_name}"):
            pulls = self.repo.get_pulls(
                state="all", head=f"{self.owner}:{branch}", base=base, sort="created", direction="desc"
            )
            for pr in pulls:
                self._pulls[pr.number] = pr
                return _pull(pr)
        return None

    # --- writes ----------------------------------------------------------------------------------

    def commit_files(self, *, parent: str, files: dict[str, bytes], message: str) -> str:
        """One new commit on top of `parent` replacing the given files (whole bytes); its sha."""
        base = self._git_commit(parent)
        with _calls(f"writing a commit to {self.full_name}"):
            elements = []
            for path, content in files.items():
                blob = self.repo.create_git_blob(base64.b64encode(content).decode("ascii"), "base64")
                elements.append(InputGitTreeElement(path, "100644", "blob", sha=blob.sha))
            tree = self.repo.create_git_tree(elements, base_tree=self._tree(base.tree.sha))
            return self.repo.create_git_commit(message, tree, [base]).sha

    def point_branch(self, branch: str, sha: str) -> None:
        """Create the branch at `sha`, or force-move it there (it is ours: hand edits are replaced)."""
        with _calls(f"moving branch {branch} of {self.full_name}"):
            if branch in self._refs:
                self._refs[branch].edit(sha, force=True)
            else:
                self._refs[branch] = self.repo.create_git_ref(f"refs/heads/{branch}", sha)

    def open_pull(
        self,
        *,
        branch: str,
        base: str,
        title: str,
        body: str,
        labels: list[str],
        reviewers: list[str],
        team_reviewers: list[str],
    ) -> tuple[Pull, list[str]]:
        """Open a pull request; labels and reviewers that GitHub refuses become warnings."""
        with _calls(f"opening a pull request on {self.full_name}"):
            pr = self.repo.create_pull(base=base, head=branch, title=title, body=body)
            self._pulls[pr.number] = pr
        warnings = []
        try:
            with _calls(f"labelling pull request #{pr.number}"):
                if labels:
                    pr.add_to_labels(*labels)
            with _calls(f"requesting reviews on pull request #{pr.number}"):
                if reviewers or team_reviewers:
                    pr.create_review_request(reviewers=reviewers, team_reviewers=team_reviewers)
        except GitHubError as exc:
            logger.warning("%s", exc)
            warnings.append(str(exc))
        return _pull(pr), warnings

    def _pull_request(self, number: int) -> PullRequest:
        if number not in self._pulls:
            self._pulls[number] = self.repo.get_pull(number)
        return self._pulls[number]

    def edit_pull(self, number: int, *, title: str, body: str) -> None:
        with _calls(f"updating pull request #{number} of {self.full_name}"):
            self._pull_request(number).edit(title=title, body=body)

    def close_pull(self, number: int, *, comment: str) -> None:
        with _calls(f"closing pull request #{number} of {self.full_name}"):
            pr = self._pull_request(number)
            pr.create_issue_comment(comment)
            pr.edit(state="closed")

"""GitHub sync: one long-lived branch and pull request per legacy repository, without churn.

Each run compares the legacy export (rendered from the database, the same bytes as
HMR_EXPORT_DIR/legacy) with the repository's base branch by git blob id, so equality costs no
download. Then:
- identical: nothing to do (an open sync PR left over is closed, since it would change nothing);
- differences the sync branch already carries (same files on top of the same base files):
  no write call at all;
- differences that changed: one commit of whole files on top of the base head, the branch
  force-moved to it, the open PR's title and body updated, or a PR opened when none is open.
A PR closed without merging is not reopened for the same changes (a maintainer said no); the
next change to the reference opens a new one.

When GitHub answers with a `Retry-After` (a secondary rate limit, a 503), no run of that
repository calls GitHub again before that time: later runs (the task's retries, the beat) stand
down with SyncNotAvailable, naming the time. The mark lives in the shared cache; a cache outage
only forgets it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction

from apps.catalog import selectors
from apps.catalog.categories import Repo, legacy_categories
from apps.catalog.formats import render
from apps.core import clock
from apps.sync import diff
from apps.sync.github import (
    GitHubError,
    GitHubUnavailable,
    Pull,
    RepoClient,
    credentials_configured,
    git_blob_sha,
    github_client,
)
from apps.sync.models import SyncRun
from apps.sync.services.runs import runs_prune

logger = logging.getLogger(__name__)
Result = SyncRun.Result
SYNC_TIME_LIMIT_SECONDS = 600  # the task's hard limit; a "running" row older than this was interrupted
CLOSE_COMMENT = (
    "The repository now matches HMR's model reference, so this pull request would change nothing. "
    "Closing it; HMR opens a new one when the reference changes."
)


class SyncNotAvailable(Exception):
    """This instance does not sync now: REPLICA mode, no credentials, or another run in progress."""


@dataclass(frozen=True)
class RepoTarget:
    repo: Repo
    full_name: str
    base: str


@dataclass
class SyncOutcome:
    repo: Repo
    full_name: str
    branch: str
    dry_run: bool = False
    result: str = Result.UNCHANGED
    base_sha: str = ""
    head_sha: str = ""
    pull: Pull | None = None
    diffs: list[diff.FileDiff] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    note: str = ""
    body: str = ""


def repo_target(repo: Repo) -> RepoTarget:
    if repo == Repo.TEXT:
        return RepoTarget(repo, settings.HMR_TEXT_REPO, settings.HMR_TEXT_BRANCH)
    return RepoTarget(repo, settings.HMR_IMAGE_REPO, settings.HMR_IMAGE_BRANCH)


def repo_export_files(repo: Repo) -> dict[str, tuple[str, bytes]]:
    """The legacy export of one repository: {path in the repository: (category, bytes)}."""
    files = {}
    for info in legacy_categories(repo):
        for path, text in render.legacy_files(selectors.category_records(info.category)).items():
            files[path.removeprefix(f"{repo.value}/")] = (info.category.value, text.encode("utf-8"))
    return files


def repo_sync(*, repo: Repo, dry_run: bool = False, client: RepoClient | None = None) -> SyncOutcome:
    """Bring the repository's sync branch and PR in line with the export (see the module doc).

    `dry_run` reads GitHub (anonymously when no credentials are set), computes the diff and the
    actions it would take, and writes nothing anywhere. Otherwise raises SyncNotAvailable in
    REPLICA mode, without credentials, or while another run of the same repository is in
    progress; records a `SyncRun`; GitHub errors are recorded and re-raised (`GitHubUnavailable`
    is worth a retry).
    """
    target = repo_target(repo)
    if dry_run:
        return _sync(target, client or RepoClient(github_client(), target.full_name), dry_run=True)
    if settings.HMR_REPLICATE_MODE == "REPLICA":
        raise SyncNotAvailable("This instance is a REPLICA; only the PRIMARY opens sync pull requests.")
    if client is None and not credentials_configured():
        raise SyncNotAvailable(
            "No GitHub credentials: set HMR_GITHUB_TOKEN or the HMR_GITHUB_APP_* variables."
        )
    _respect_retry_after(target)
    run = _claim(target)
    try:
        outcome = _sync(target, client or RepoClient(github_client(), target.full_name), dry_run=False)
    except Exception as exc:
        _finish(run, result=Result.FAILED, error=f"{exc.__class__.__name__}: {exc}")
        if isinstance(exc, GitHubUnavailable) and exc.retry_after:
            _note_retry_after(target, exc.retry_after)
        raise
    _finish(run, outcome=outcome)
    return outcome


def _retry_after_key(target: RepoTarget) -> str:
    return f"sync:github:retry-after:{target.full_name}"


def _respect_retry_after(target: RepoTarget) -> None:
    try:
        until = cache.get(_retry_after_key(target))
    except Exception:  # a cache outage forgets the mark; GitHub would answer the same again
        logger.warning("GitHub sync: cache unreadable, Retry-After mark unknown", exc_info=True)
        return
    if isinstance(until, float | int) and clock.now().timestamp() < until:
        when = datetime.fromtimestamp(until, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        raise SyncNotAvailable(f"GitHub asked HMR to wait: no sync of {target.full_name} before {when}.")


def _note_retry_after(target: RepoTarget, seconds: float) -> None:
    until = clock.now().timestamp() + seconds
    try:
        cache.set(_retry_after_key(target), until, timeout=int(seconds) + 1)
    except Exception:
        logger.warning("GitHub sync: cache unwritable, Retry-After mark not kept", exc_info=True)


def _sync(target: RepoTarget, client: RepoClient, *, dry_run: bool) -> SyncOutcome:
    out = SyncOutcome(target.repo, target.full_name, settings.HMR_GITHUB_SYNC_BRANCH, dry_run)
    files = repo_export_files(target.repo)
    desired = {path: git_blob_sha(content) for path, (_, content) in files.items()}
    out.base_sha = client.branch_head(target.base) or ""
    if not out.base_sha:
        raise GitHubError(f"{target.full_name} has no branch {target.base!r}")
    base_blobs = client.file_blobs(client.commit(out.base_sha).tree_sha, list(files))
    changed = [path for path in files if base_blobs[path] != desired[path]]
    out.pull = client.latest_pull(branch=out.branch, base=target.base)
    if not changed:
        _close_leftover_pull(client, out)
        return out
    out.diffs = diff.collapse_derived(
        [
            diff.file_diff(path, files[path][0], _text(client, base_blobs[path]), _decoded(files[path]))
            for path in changed
        ]
    )
    out.body = diff.pr_body(out.diffs, branch=out.branch)
    branch_sha = client.branch_head(out.branch)
    current = branch_sha is not None and _branch_current(
        client, branch_sha, out.base_sha, base_blobs, desired
    )
    out.head_sha = branch_sha or ""
    if not current:
        _act(
            out, f"{'force-update' if branch_sha else 'create'} branch {out.branch} ({len(changed)} file(s))"
        )
        if not dry_run:
            message = diff.commit_message(out.diffs)
            out.head_sha = client.commit_files(
                parent=out.base_sha, files={path: files[path][1] for path in changed}, message=message
            )
            client.point_branch(out.branch, out.head_sha)
    _settle_pull(
        client, out, target, fresh=not current or out.pull is None or out.pull.head_sha != branch_sha
    )
    return out


def _close_leftover_pull(client: RepoClient, out: SyncOutcome) -> None:
    """The repository matches the export: an open sync PR would change nothing."""
    out.result = Result.IDENTICAL
    if out.pull and out.pull.open:
        _act(out, f"close pull request #{out.pull.number} (the repository matches the export)")
        if not out.dry_run:
            client.close_pull(out.pull.number, comment=CLOSE_COMMENT)


def _settle_pull(client: RepoClient, out: SyncOutcome, target: RepoTarget, *, fresh: bool) -> None:
    """Update the open PR, open one for new changes, or leave a closed one closed.

    `fresh`: the branch now carries changes no PR has proposed yet (just rewritten, or never
    proposed).
    """
    title = diff.pr_title(out.diffs)
    pull = out.pull
    if pull and pull.open:
        edited = _normal(pull.title) != _normal(title) or _normal(pull.body) != _normal(out.body)
        if edited:
            _act(out, f"update pull request #{pull.number}")
            if not out.dry_run:
                client.edit_pull(pull.number, title=title, body=out.body)
        out.result = Result.UPDATED if edited or out.actions else Result.UNCHANGED
    elif fresh:
        _act(out, "open a pull request")
        out.result = Result.CREATED
        if not out.dry_run:
            out.pull, out.warnings = client.open_pull(
                branch=out.branch,
                base=target.base,
                title=title,
                body=out.body,
                labels=settings.HMR_GITHUB_PR_LABELS,
                reviewers=settings.HMR_GITHUB_PR_REVIEWERS,
                team_reviewers=settings.HMR_GITHUB_PR_TEAM_REVIEWERS,
            )
    else:
        how = "merged" if pull.merged else "closed without merging"
        out.note = (
            f"Pull request #{pull.number} for these changes was {how}; "
            "a new one opens when the reference changes."
        )


def _decoded(file: tuple[str, bytes]) -> str:
    return file[1].decode("utf-8")


def _normal(text: str) -> str:
    """Text as GitHub may hand it back (CRLF line ends, no trailing newline)."""
    return text.replace("\r\n", "\n").strip()


def _act(out: SyncOutcome, action: str) -> None:
    out.actions.append(action)


def _text(client: RepoClient, blob_sha: str | None) -> str | None:
    return None if blob_sha is None else client.blob(blob_sha).decode("utf-8", errors="replace")


def _branch_current(
    client: RepoClient, branch_sha: str, base_sha: str, base_blobs: dict, desired: dict
) -> bool:
    """Does the branch already propose exactly these changes: our bytes on top of these base bytes?"""
    paths = list(desired)
    head = client.commit(branch_sha)
    if client.file_blobs(head.tree_sha, paths) != desired:
        return False
    if head.parents == (base_sha,):
        return True
    if len(head.parents) != 1:
        return False
    # The base branch moved on without touching our files: the same differences, nothing to redo.
    return client.file_blobs(client.commit(head.parents[0]).tree_sha, paths) == base_blobs


def _claim(target: RepoTarget) -> SyncRun:
    now = clock.now()
    SyncRun.objects.filter(
        repo=target.repo,
        result=Result.RUNNING,
        started_at__lt=now - timedelta(seconds=SYNC_TIME_LIMIT_SECONDS),
    ).update(result=Result.FAILED, finished_at=now, error="Interrupted: the run stopped before it finished.")
    try:
        with transaction.atomic():
            return SyncRun.objects.create(
                repo=target.repo,
                repo_name=target.full_name,
                branch=settings.HMR_GITHUB_SYNC_BRANCH,
                started_at=now,
                result=Result.RUNNING,
            )
    except IntegrityError:
        raise SyncNotAvailable(f"Another sync of {target.full_name} is running.") from None


def _finish(run: SyncRun, *, outcome: SyncOutcome | None = None, result: str = "", error: str = "") -> None:
    run.finished_at = clock.now()
    run.result = outcome.result if outcome else result
    run.error = error
    if outcome:
        run.base_sha, run.head_sha = outcome.base_sha, outcome.head_sha
        run.pr_number = outcome.pull.number if outcome.pull else None
        run.pr_url = outcome.pull.url if outcome.pull else ""
        run.summary = {"files": {d.path: d.summary() for d in outcome.diffs}, "actions": outcome.actions}
        run.note = "\n".join([*outcome.actions, outcome.note, *outcome.warnings]).strip()
    run.save()
    runs_prune(SyncRun)
    logger.info("GitHub sync of %s: %s %s", run.repo_name, run.result, run.note or run.error)

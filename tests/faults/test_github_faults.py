"""GitHub failing under the sync: 5xx answers and secondary rate limits (403 with Retry-After).

The sync runs in the test process against the fake GitHub of tests/sync served over real HTTP
(tests/faults/github_server.py), so PyGithub's own retries (urllib3 under `requests`) run as in
production. Each test puts the fault on one call of a sync that opens a pull request and asserts
what a moderator sees: how long the run took (bounded by HMR_GITHUB_RETRIES and
HMR_GITHUB_RETRY_WAIT_MAX_SECONDS, never by GitHub's Retry-After), the failed `SyncRun` and its
message in the admin, what GitHub holds afterwards (nothing half-done: no pull request without
its whole commit), and that the next run, once GitHub answers again, finishes the work with
exactly one pull request. A `Retry-After` GitHub gave is respected by later runs too: they stand
down without calling GitHub until that time.
"""

import html
import itertools
import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model

from apps.catalog.categories import Category, Repo
from apps.core import clock
from apps.sync.github import GitHubUnavailable
from apps.sync.models import SyncRun
from apps.sync.services.github_sync import SyncNotAvailable, repo_sync
from apps.sync.tasks import sync_github
from tests.conftest import FROZEN_AT
from tests.faults.github_server import BAD_GATEWAY, SECONDARY_RATE_LIMIT, UNAVAILABLE, FakeGitHubServer
from tests.sync.conftest import IMAGE_REPO, TEXT_REPO, edit, imported_image, parsed_legacy  # noqa: F401
from tests.sync.fake_github import FakeRepo
from tests.sync.test_github_sync import IMAGE_WRITES_OF_A_NEW_PR as NEW_PR_WRITES
from tests.sync.test_github_sync import export_bytes

pytestmark = pytest.mark.django_db
SD = "stable_diffusion_2.1"
REPO_PATH = f"/repos/{IMAGE_REPO}"
# The calls of a sync that opens a pull request: its first read; its writes are tests/sync's list.
FIRST_CALL = ("GET", "")  # the repository
SLACK = 5.0  # seconds: the sync's own work (rendering and diffing the image files) on a busy machine


@pytest.fixture
def github(settings, legacy_dir):
    image = FakeRepo(IMAGE_REPO, {p.name: p.read_bytes() for p in (legacy_dir / "image").iterdir()})
    text = FakeRepo(TEXT_REPO, {p.name: p.read_bytes() for p in (legacy_dir / "text").iterdir()})
    server = FakeGitHubServer([image, text])
    settings.HMR_REPLICATE_MODE = "PRIMARY"
    settings.HMR_GITHUB_API_URL = server.url
    settings.HMR_GITHUB_TOKEN = "test-token"
    settings.HMR_GITHUB_APP_ID = ""
    settings.HMR_IMAGE_REPO, settings.HMR_IMAGE_BRANCH = IMAGE_REPO, "main"
    settings.HMR_GITHUB_SYNC_BRANCH = "hmr/sync"
    settings.HMR_GITHUB_PR_LABELS = ["automated", "sync"]
    settings.HMR_GITHUB_PR_REVIEWERS = ["a-maintainer"]
    settings.HMR_GITHUB_PR_TEAM_REVIEWERS = []
    yield server
    server.close()


@pytest.fixture
def changed(imported_image, edit):  # noqa: F811
    """One record differs from GitHub: a sync opens a pull request."""
    edit(Category.IMAGE_GENERATION, {SD: {"description": "A sharper description."}})


def failed_sync() -> tuple[Exception, float]:
    """Run the sync during the fault: (what it raised, seconds it took)."""
    started = time.monotonic()
    try:
        repo_sync(repo=Repo.IMAGE)
    except Exception as exc:
        return exc, time.monotonic() - started
    raise AssertionError("the sync succeeded during the fault")


def gaps(calls) -> list[float]:
    return [round(b.at - a.at, 2) for a, b in itertools.pairwise(calls)]


def moderator_sees(client, run: SyncRun) -> str:
    """The run's page in the admin, as a moderator (staff) opens it from the sync run list."""
    if not get_user_model().objects.filter(username="moderator").exists():
        get_user_model().objects.create_superuser("moderator", "", "pw")
    client.login(username="moderator", password="pw")
    listing = client.get("/admin/sync/syncrun/")
    assert listing.status_code == 200
    assert f"/admin/sync/syncrun/{run.pk}/change/" in listing.content.decode()
    page = client.get(f"/admin/sync/syncrun/{run.pk}/change/")
    assert page.status_code == 200
    return html.unescape(page.content.decode())


def recovered_run(github, image) -> SyncRun:
    """GitHub answers again: the next run opens the one pull request."""
    github.recover()
    outcome = repo_sync(repo=Repo.IMAGE)
    assert outcome.result == "created"
    [pr] = image.pulls
    assert (pr["number"], pr["state"], pr["head"]) == (1, "open", "hmr/sync")
    assert image.files("hmr/sync")["stable_diffusion.json"] == export_bytes("image/stable_diffusion.json")
    last = SyncRun.objects.first()
    assert (last.result, last.pr_number, last.error) == ("created", 1, "")
    return last


def test_github_answering_502_fails_the_run_after_bounded_retries_and_the_next_run_opens_the_pr(
    github, changed, settings, client
):
    settings.HMR_GITHUB_RETRIES, settings.HMR_GITHUB_RETRY_BACKOFF_SECONDS = 2, 0.5
    backoff = [0, 0.5 * 2]  # urllib3: no pause before the first retry, then backoff * 2^(n-1)
    github.fail("GET", "", 502, BAD_GATEWAY)
    [image, _] = github.repos

    error, took = failed_sync()

    assert str(error) == f"reading repository {IMAGE_REPO}: GitHub answered 502 (Server Error)"
    assert isinstance(error, GitHubUnavailable)  # the task retries it later
    asked = github.calls_to("GET", "")
    assert [c.status for c in asked] == [502] * (1 + settings.HMR_GITHUB_RETRIES)
    assert [g >= b for g, b in zip(gaps(asked), backoff, strict=True)] == [True, True]
    assert sum(backoff) <= took < sum(backoff) + SLACK
    assert (image.writes, image.pulls, "hmr/sync" in image.refs) == ([], [], False)
    run = SyncRun.objects.get()
    assert (run.result, run.pr_number) == ("failed", None)
    assert run.finished_at is not None  # not left "running"
    assert run.error == f"GitHubUnavailable: {error}"
    assert run.error in moderator_sees(client, run)

    recovered_run(github, image)
    assert image.writes == NEW_PR_WRITES
    assert list(SyncRun.objects.values_list("result", flat=True)) == ["created", "failed"]


def test_github_503_on_opening_the_pull_request_leaves_the_whole_commit_and_the_next_run_only_opens_it(
    github, changed, settings, client
):
    settings.HMR_GITHUB_RETRIES = 2
    github.fail("POST", "/pulls", 503, UNAVAILABLE, headers={"Retry-After": "1"})
    [image, _] = github.repos

    error, took = failed_sync()

    assert str(error) == f"opening a pull request on {IMAGE_REPO}: GitHub answered 503 (Service Unavailable)"
    asked = github.calls_to("POST", "/pulls")
    assert len(asked) == 1 + settings.HMR_GITHUB_RETRIES
    assert min(gaps(asked)) >= 1.0  # GitHub's Retry-After (under the bound) is honoured
    assert 2.0 <= took < 2.0 + SLACK
    # GitHub holds the branch with the whole commit (the Git Data API writes it in one ref move),
    # and no pull request; HMR's run is failed, not running.
    assert image.writes == NEW_PR_WRITES[:4]  # (FakeRepo logs the writes it served)
    assert image.pulls == []
    branch_head = image.refs["hmr/sync"]
    assert image.files("hmr/sync")["stable_diffusion.json"] == export_bytes("image/stable_diffusion.json")
    run = SyncRun.objects.get()
    assert (run.result, run.error) == ("failed", f"GitHubUnavailable: {error}")
    assert run.error in moderator_sees(client, run)

    image.writes.clear()
    clock.freeze(FROZEN_AT + timedelta(seconds=2))  # past GitHub's Retry-After
    recovered_run(github, image)
    assert image.writes == NEW_PR_WRITES[4:]  # the branch was current: no second commit
    assert image.refs["hmr/sync"] == branch_head


def test_a_secondary_rate_limit_with_a_short_retry_after_is_waited_out(github, changed):
    github.fail("POST", "/git/blobs", 403, SECONDARY_RATE_LIMIT, headers={"Retry-After": "1"}, times=1)
    [image, _] = github.repos
    started = time.monotonic()

    outcome = repo_sync(repo=Repo.IMAGE)

    assert outcome.result == "created"
    assert 1.0 <= time.monotonic() - started < 1.0 + SLACK
    asked = github.calls_to("POST", "/git/blobs")
    assert [c.status for c in asked] == [403, 201]
    assert gaps(asked)[0] >= 1.0  # not retried before GitHub said
    assert len(image.pulls) == 1
    assert SyncRun.objects.get().result == "created"


def test_a_secondary_rate_limit_with_a_long_retry_after_fails_the_run_at_once(github, changed, client):
    # The defaults: HMR_GITHUB_RETRY_WAIT_MAX_SECONDS is 60; GitHub asks for an hour.
    github.fail("POST", "/git/blobs", 403, SECONDARY_RATE_LIMIT, headers={"Retry-After": "3600"})
    [image, _] = github.repos

    error, took = failed_sync()

    assert isinstance(error, GitHubUnavailable)
    assert str(error) == (
        f"writing a commit to {IMAGE_REPO}: GitHub rate limit reached, retry after 3600 s "
        f"({SECONDARY_RATE_LIMIT['message']})"
    )
    assert took < SLACK
    assert [c.status for c in github.calls_to("POST", "/git/blobs")] == [403]  # once, not again
    assert (image.writes, image.pulls, "hmr/sync" in image.refs) == ([], [], False)
    run = SyncRun.objects.get()
    assert (run.result, run.error) == ("failed", f"GitHubUnavailable: {error}")
    assert run.error in moderator_sees(client, run)

    # Until then no run asks GitHub again (the task's retries and the beat stand down).
    asked = len(github.calls)
    github.recover()
    with pytest.raises(SyncNotAvailable) as stood_down:
        repo_sync(repo=Repo.IMAGE)
    until = (FROZEN_AT + timedelta(seconds=3600)).strftime("%Y-%m-%d %H:%M:%S UTC")
    assert str(stood_down.value) == f"GitHub asked HMR to wait: no sync of {IMAGE_REPO} before {until}."
    assert len(github.calls) == asked
    assert sync_github("image") == {"repo": "image", "result": "skipped", "reason": str(stood_down.value)}
    assert SyncRun.objects.count() == 1

    clock.freeze(FROZEN_AT + timedelta(seconds=3600))
    recovered_run(github, image)

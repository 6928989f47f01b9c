"""GitHub sync against a fake GitHub at the HTTP level: one branch and PR per repo, no churn."""

import re
from datetime import timedelta
from io import StringIO

import pytest
import requests
import responses
from django.core.management import CommandError, call_command

from apps.catalog import selectors
from apps.catalog.categories import Category, Repo
from apps.catalog.formats import render
from apps.core import clock
from apps.sync.github import GitHubUnavailable
from apps.sync.models import SyncRun
from apps.sync.services.github_sync import SyncNotAvailable, repo_sync
from apps.sync.tasks import sync_github

pytestmark = pytest.mark.django_db
IMAGE = Category.IMAGE_GENERATION
SD = "stable_diffusion_2.1"
OTHER = "AlbedoBase XL (SDXL)"
IMAGE_WRITES_OF_A_NEW_PR = [
    ("POST", "/git/blobs"),
    ("POST", "/git/trees"),
    ("POST", "/git/commits"),
    ("POST", "/git/refs"),
    ("POST", "/pulls"),
    ("POST", "/issues/1/labels"),
    ("POST", "/pulls/1/requested_reviewers"),
]


@pytest.fixture
def sync_pr_open(imported_image, github, edit):
    """The image repo after one change and one sync: branch hmr/sync and pull request #1 open."""
    edit(IMAGE, {SD: {"description": "A sharper description."}})
    assert repo_sync(repo=Repo.IMAGE).result == "created"


def export_bytes(path: str) -> bytes:
    files = {}
    for category in Category:
        files.update(render.legacy_files(selectors.category_records(category)))
    return files[path].encode("utf-8")


def test_an_identical_repository_gets_no_branch_and_no_pull_request(imported_image, github):
    outcome = repo_sync(repo=Repo.IMAGE)
    assert outcome.result == "identical"
    assert github.image.writes == []
    assert "hmr/sync" not in github.image.refs
    assert github.image.pulls == []
    run = SyncRun.objects.get()
    assert (run.repo, run.result, run.pr_number, run.base_sha) == (
        "image",
        "identical",
        None,
        github.image.refs["main"],
    )


def test_the_first_sync_opens_exactly_one_pull_request(imported_image, github, edit):
    main_head = github.image.refs["main"]
    edit(IMAGE, {SD: {"description": "A sharper description."}})

    outcome = repo_sync(repo=Repo.IMAGE)

    assert outcome.result == "created"
    assert github.image.writes == IMAGE_WRITES_OF_A_NEW_PR
    [pr] = github.image.pulls
    assert (pr["state"], pr["head"], pr["base"]) == ("open", "hmr/sync", "main")
    assert pr["title"] == "Sync image_generation from HMR: 1 modified"
    assert "### `stable_diffusion.json` (image_generation)" in pr["body"]
    assert "- **Modified (1):**\n  - `stable_diffusion_2.1`: `description`" in pr["body"]
    branch = github.image.files("hmr/sync")
    assert branch["stable_diffusion.json"] == export_bytes("image/stable_diffusion.json")
    main = github.image.files("main")
    assert {p for p in branch if branch[p] != main[p]} == {"stable_diffusion.json"}
    head = github.image.commits[github.image.refs["hmr/sync"]]
    assert head["parents"] == [main_head]
    assert head["message"].startswith(
        "Sync image_generation from HMR: 1 modified\n\nstable_diffusion.json: 0 added"
    )
    assert github.image.labels == {1: ["automated", "sync"]}
    assert github.image.review_requests == {1: {"reviewers": ["a-maintainer"], "team_reviewers": []}}
    run = SyncRun.objects.get()
    assert (run.result, run.pr_number, run.head_sha) == ("created", 1, github.image.refs["hmr/sync"])
    assert run.pr_url == "https://github.test/Haidra-Org/AI-Horde-image-model-reference/pull/1"
    assert run.summary["files"]["stable_diffusion.json"]["names"]["modified"] == {SD: ["description"]}


def test_a_second_sync_without_a_change_makes_no_write_call(sync_pr_open, github):
    head = github.image.refs["hmr/sync"]
    github.image.writes.clear()

    outcome = repo_sync(repo=Repo.IMAGE)

    assert outcome.result == "unchanged"
    assert github.image.writes == []
    assert github.image.refs["hmr/sync"] == head
    assert list(SyncRun.objects.values_list("result", flat=True)) == ["unchanged", "created"]


def test_a_new_change_force_updates_the_same_branch_and_the_same_pull_request(sync_pr_open, github, edit):
    first_head = github.image.refs["hmr/sync"]
    github.image.writes.clear()
    edit(IMAGE, {SD: {"description": "A sharper description."}, OTHER: {"nsfw": True}}, add=("Brand New",))

    outcome = repo_sync(repo=Repo.IMAGE)

    assert outcome.result == "updated"
    assert github.image.writes == [
        ("POST", "/git/blobs"),
        ("POST", "/git/trees"),
        ("POST", "/git/commits"),
        ("PATCH", "/git/refs/heads/hmr/sync"),
        ("PATCH", "/pulls/1"),
    ]
    [pr] = github.image.pulls
    assert pr["state"] == "open"
    assert pr["title"] == "Sync image_generation from HMR: 1 added, 2 modified"
    assert "- **Added (1):** `Brand New`" in pr["body"]
    assert f"  - `{OTHER}`: `nsfw`" in pr["body"]
    new_head = github.image.refs["hmr/sync"]
    assert new_head != first_head
    # Rebuilt on the base branch, not stacked on the previous sync commit.
    assert github.image.commits[new_head]["parents"] == [github.image.refs["main"]]
    assert github.image.files("hmr/sync")["stable_diffusion.json"] == export_bytes(
        "image/stable_diffusion.json"
    )


def test_a_closed_pull_request_is_not_reopened_for_the_same_changes_but_the_next_change_opens_a_new_one(
    sync_pr_open, github, edit
):
    github.image.close_pull(1)
    github.image.writes.clear()

    outcome = repo_sync(repo=Repo.IMAGE)
    assert (outcome.result, github.image.writes) == ("unchanged", [])
    assert "Pull request #1 for these changes was closed without merging" in outcome.note

    edit(IMAGE, {SD: {"description": "An even sharper description."}})
    outcome = repo_sync(repo=Repo.IMAGE)
    assert outcome.result == "created"
    assert [(pr["number"], pr["state"]) for pr in github.image.pulls] == [(1, "closed"), (2, "open")]
    assert outcome.pull.number == 2
    assert ("PATCH", "/git/refs/heads/hmr/sync") in github.image.writes


def test_after_the_pull_request_is_merged_the_repository_is_identical(sync_pr_open, github):
    github.image.close_pull(1, merge=True)
    github.image.writes.clear()
    assert repo_sync(repo=Repo.IMAGE).result == "identical"
    assert github.image.writes == []


def test_the_base_branch_moving_elsewhere_leaves_the_branch_alone(sync_pr_open, github):
    github.image.push("main", {"README.md": b"# a readme edited by hand\n"})
    github.image.writes.clear()
    assert repo_sync(repo=Repo.IMAGE).result == "unchanged"
    assert github.image.writes == []


def test_a_hand_edit_of_a_synced_file_on_the_base_branch_rebuilds_the_branch(sync_pr_open, github):
    github.image.push("main", {"clip.json": b"{}\n"})
    outcome = repo_sync(repo=Repo.IMAGE)
    assert outcome.result == "updated"
    branch, main = github.image.files("hmr/sync"), github.image.files("main")
    assert branch["clip.json"] == export_bytes("image/clip.json") != main["clip.json"]
    assert "### `clip.json` (clip)\n\n- **Added (2):** `ViT-L/14`" in github.image.pulls[0]["body"]


def test_when_the_repository_catches_up_by_hand_the_open_pull_request_is_closed(sync_pr_open, github):
    github.image.push("main", {"stable_diffusion.json": export_bytes("image/stable_diffusion.json")})
    github.image.writes.clear()
    outcome = repo_sync(repo=Repo.IMAGE)
    assert outcome.result == "identical"
    assert github.image.writes == [("POST", "/issues/1/comments"), ("PATCH", "/pulls/1")]
    assert github.image.pulls[0]["state"] == "closed"
    assert "now matches HMR's model reference" in github.image.comments[1][0]


def test_the_text_repository_gets_models_csv_and_db_json_in_one_commit(imported, github, edit):
    name = "acrastt/Marx-3B-V3"
    main_head = github.text.refs["main"]
    edit(Category.TEXT_GENERATION, {name: {"description": "Rewritten."}})

    outcome = repo_sync(repo=Repo.TEXT)

    assert outcome.result == "created"
    assert github.text.writes[:5] == [
        ("POST", "/git/blobs"),
        ("POST", "/git/blobs"),
        ("POST", "/git/trees"),
        ("POST", "/git/commits"),
        ("POST", "/git/refs"),
    ]
    head = github.text.commits[github.text.refs["hmr/sync"]]
    assert head["parents"] == [main_head]
    branch, main = github.text.files("hmr/sync"), github.text.files("main")
    assert {p for p in branch if branch[p] != main[p]} == {"models.csv", "db.json"}
    assert branch["models.csv"] == export_bytes("text/models.csv")
    assert branch["db.json"] == export_bytes("text/db.json")
    body = github.text.pulls[0]["body"]
    assert f"- **Modified (1):**\n  - `{name}`: `description`" in body
    assert "### `db.json` (text_generation)\n\nRegenerated from models.csv." in body
    assert github.image.writes == []


def test_dry_run_prints_the_diff_and_touches_nothing(imported_image, github, edit, settings):
    settings.HMR_GITHUB_TOKEN = ""  # a dry run reads public repositories anonymously
    edit(IMAGE, {SD: {"description": "A sharper description."}})
    out = StringIO()
    call_command("sync_github", "--dry-run", "--repo", "image", stdout=out)
    output = out.getvalue()
    assert "Dry run: Haidra-Org/AI-Horde-image-model-reference (image)" in output
    assert "- **Modified (1):**\n  - `stable_diffusion_2.1`: `description`" in output
    assert "Would: create branch hmr/sync (1 file(s))" in output
    assert "Would: open a pull request" in output
    assert github.image.writes == []
    assert "hmr/sync" not in github.image.refs
    assert SyncRun.objects.count() == 0


def test_the_command_syncs_both_repositories_and_names_the_pull_request(imported, github, edit):
    edit(IMAGE, {SD: {"description": "A sharper description."}})
    out = StringIO()
    call_command("sync_github", stdout=out)
    output = out.getvalue()
    assert "created: https://github.test/Haidra-Org/AI-Horde-image-model-reference/pull/1" in output
    # The text repo's files come back byte for byte (its 4 repeated names included): no pull request.
    assert "The repository matches the export byte for byte; no pull request is needed." in output
    assert github.text.pulls == [] and github.text.writes == []
    assert sorted(SyncRun.objects.values_list("repo", "result")) == [
        ("image", "created"),
        ("text", "identical"),
    ]


def test_a_replica_and_an_unconfigured_instance_do_not_sync(imported_image, github, settings):
    settings.HMR_REPLICATE_MODE = "REPLICA"
    with pytest.raises(SyncNotAvailable, match="REPLICA"):
        repo_sync(repo=Repo.IMAGE)
    settings.HMR_REPLICATE_MODE = "PRIMARY"
    settings.HMR_GITHUB_TOKEN = ""
    with pytest.raises(SyncNotAvailable, match="HMR_GITHUB_TOKEN"):
        repo_sync(repo=Repo.IMAGE)
    assert sync_github.delay("image").get() == {
        "repo": "image",
        "result": "skipped",
        "reason": "No GitHub credentials: set HMR_GITHUB_TOKEN or the HMR_GITHUB_APP_* variables.",
    }
    with pytest.raises(CommandError, match="Sync failed for: image"):
        call_command("sync_github", "--repo", "image", stdout=StringIO(), stderr=StringIO())
    assert github.image.writes == [] and SyncRun.objects.count() == 0


def test_a_run_in_progress_makes_the_next_one_stand_down_until_it_is_stale(imported_image, github):
    running = SyncRun.objects.create(repo="image", repo_name="x", started_at=clock.now(), result="running")
    with pytest.raises(SyncNotAvailable, match="Another sync"):
        repo_sync(repo=Repo.IMAGE)
    SyncRun.objects.filter(pk=running.pk).update(started_at=clock.now() - timedelta(minutes=11))
    assert repo_sync(repo=Repo.IMAGE).result == "identical"
    running.refresh_from_db()
    assert (running.result, running.error) == ("failed", "Interrupted: the run stopped before it finished.")


def test_github_unreachable_is_recorded_and_worth_a_retry(imported_image, settings):
    settings.HMR_GITHUB_API_URL = "https://api.github.test"
    settings.HMR_GITHUB_TOKEN = "test-token"
    with responses.RequestsMock() as rsps:
        rsps.add(
            responses.GET,
            re.compile(r"https://api\.github\.test(:443)?/.*"),
            body=requests.ConnectionError("down"),
        )
        with pytest.raises(GitHubUnavailable, match="GitHub is not reachable"):
            repo_sync(repo=Repo.IMAGE)
    run = SyncRun.objects.get()
    assert run.result == "failed"
    assert "GitHubUnavailable: reading repository Haidra-Org/AI-Horde-image-model-reference" in run.error

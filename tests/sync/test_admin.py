"""The background-work admin: the status overview on top of the sync runs, read-only pages."""

import pytest
from django.contrib.auth import get_user_model

from apps.catalog.categories import Category
from apps.core import clock
from apps.sync.models import ExportRun, SyncRun
from apps.sync.services.exports import category_export

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(get_user_model().objects.create_superuser("root", "", "pw"))
    return client


def test_the_overview_shows_the_last_sync_per_repository_and_the_export_state(
    imported_image, staff_client, edit
):
    category_export(category=Category.CLIP)
    SyncRun.objects.create(
        repo="image",
        repo_name="Haidra-Org/AI-Horde-image-model-reference",
        started_at=clock.now(),
        finished_at=clock.now(),
        result="updated",
        pr_number=7,
        pr_url="https://github.com/Haidra-Org/AI-Horde-image-model-reference/pull/7",
        summary={"files": {"stable_diffusion.json": {"added": 1, "removed": 0, "modified": 2, "note": ""}}},
    )
    SyncRun.objects.create(
        repo="text",
        repo_name="t",
        started_at=clock.now(),
        result="failed",
        error="GitHubError: bad credentials",
    )

    body = staff_client.get("/admin/sync/syncrun/").content.decode()

    assert "GitHub sync <strong>not configured</strong>" in body
    assert 'href="https://github.com/Haidra-Org/AI-Horde-image-model-reference/pull/7"' in body
    assert "stable_diffusion.json: +1 -0 ~2" in body
    assert "GitHubError: bad credentials" in body
    # clip was exported at its current revision; image_generation never was.
    assert "<td>clip</td>" in body and "1 / 1</td>" in body
    assert "— / 1 <strong>behind</strong>" in body
    assert "Add sync run" not in body


def test_export_runs_are_listed_and_read_only(imported_image, staff_client):
    category_export(category=Category.CLIP)
    run = ExportRun.objects.get()
    assert (
        "legacy/image/clip.json"
        in staff_client.get(f"/admin/sync/exportrun/{run.pk}/change/").content.decode()
    )
    assert staff_client.get("/admin/sync/exportrun/?result__exact=written").status_code == 200
    assert staff_client.get("/admin/sync/exportedfile/?format__exact=v2").status_code == 200
    assert staff_client.get("/admin/sync/replicarun/").status_code == 200
    assert staff_client.post(f"/admin/sync/exportrun/{run.pk}/delete/", {"post": "yes"}).status_code == 403

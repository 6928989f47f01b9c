"""REPLICA mode against a fake PRIMARY (and the legacy GitHub raw files) at the HTTP level."""

import json
import re
from io import StringIO

import pytest
import requests
import responses
from django.core.management import CommandError, call_command

from apps.audit.models import AuditEvent
from apps.catalog.categories import CATEGORIES, Category, Repo
from apps.catalog.formats import v2
from apps.catalog.models import CategoryMetadata, ModelRecord
from apps.core.hashing import sha256_hex
from apps.sync.models import ReplicaRun, ReplicaSource
from apps.sync.services.replica import ReplicaNotAvailable, replica_pull
from apps.sync.tasks import replica_pull as replica_pull_task

pytestmark = pytest.mark.django_db
PRIMARY = "https://primary.test/api"
RAW = "https://raw.githubusercontent.com/"
SD = "stable_diffusion_2.1"


class FakePrimary:
    """`GET {PRIMARY}/model_references/v2/{category}` with ETags and 304s, like an HMR PRIMARY."""

    def __init__(self, documents: dict[str, dict]) -> None:
        self.documents = documents
        self.requests: list[tuple[str, dict]] = []
        self.down = False

    def register(self, rsps) -> None:
        pattern = re.compile(re.escape(PRIMARY) + r"/model_references/v2/(\w+)$")
        rsps.add_callback(responses.GET, pattern, callback=self._get)

    def _get(self, request):
        category = request.url.rsplit("/", 1)[1]
        self.requests.append((category, dict(request.headers)))
        if self.down:
            raise requests.ConnectionError("connection refused")
        if category not in self.documents:
            return 404, {}, json.dumps({"detail": f"Model category '{category}' not found"})
        body = json.dumps(self.documents[category], indent=4)
        etag = f'"{sha256_hex(body)[:16]}"'
        if request.headers.get("If-None-Match") == etag:
            return 304, {"ETag": etag}, ""
        return 200, {"ETag": etag, "Last-Modified": "Fri, 02 Jan 2026 03:04:05 GMT"}, body


def v2_documents(parsed, repo: Repo | None = None) -> dict[str, dict]:
    return {
        p.category.value: {r.name: v2.render_record(p.category, r.data, r.meta) for r in p.records}
        for p in parsed
        if repo is None or CATEGORIES[p.category].repo == repo
    }


@pytest.fixture
def replica(settings):
    settings.HMR_REPLICATE_MODE = "REPLICA"
    settings.HMR_PRIMARY_API_URL = PRIMARY
    settings.HMR_REPLICA_GITHUB_FALLBACK = True
    settings.HMR_GITHUB_RAW_BASE = RAW


@pytest.fixture
def primary(replica, parsed_legacy):
    """A PRIMARY serving the image categories (text is left out to keep the imports small)."""
    fake = FakePrimary(v2_documents(parsed_legacy, Repo.IMAGE))
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        fake.register(rsps)
        yield fake, rsps


def serve_github(rsps, legacy_dir):
    def raw(request):
        name = request.url.rsplit("/", 1)[1]
        path = legacy_dir / ("text" if name == "models.csv" else "image") / name
        return (200, {}, path.read_bytes()) if path.is_file() else (404, {}, "")

    rsps.add_callback(responses.GET, re.compile(re.escape(RAW) + ".*"), callback=raw)


def snapshot():
    return (
        list(ModelRecord.objects.order_by("id").values_list("category", "name", "version")),
        AuditEvent.objects.count(),
        list(CategoryMetadata.objects.order_by("category").values_list("category", "revision")),
        list(
            ReplicaSource.objects.order_by("category").values_list("category", "etag", "sha256", "fetched_at")
        ),
    )


def test_a_pull_imports_every_category_the_primary_serves(replica, parsed_legacy):
    fake = FakePrimary(v2_documents(parsed_legacy))
    with responses.RequestsMock() as rsps:
        fake.register(rsps)
        outcome = replica_pull()

    assert (outcome.result, outcome.source, outcome.changed) == ("imported", "primary", 913)
    assert ModelRecord.objects.filter(category="image_generation").count() == 161
    assert ModelRecord.objects.filter(category="text_generation").count() == 719
    assert [c for c, _ in fake.requests] == [c.value for c in Category]
    assert set(AuditEvent.objects.values_list("origin", flat=True)) == {"replica"}
    assert AuditEvent.objects.first().actor_name == f"replica pull from {PRIMARY}"
    assert outcome.summary["image_generation"] == "161 created, 0 updated, 0 deleted"
    assert outcome.summary["video_generation"] == "not served"
    source = ReplicaSource.objects.get(category="clip")
    assert source.etag.startswith('"') and source.last_modified == "Fri, 02 Jan 2026 03:04:05 GMT"
    run = ReplicaRun.objects.get()
    assert (run.result, run.source, run.changed, run.error) == ("imported", "primary", 913, "")


def test_a_second_pull_is_conditional_and_a_304_writes_nothing(primary, django_capture_on_commit_callbacks):
    fake, _ = primary
    replica_pull()
    before = snapshot()
    fake.requests.clear()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        outcome = replica_pull()

    assert (outcome.result, outcome.changed) == ("unchanged", 0)
    assert snapshot() == before
    assert callbacks == []  # nothing committed, so no export is queued
    conditional = {c: h.get("If-None-Match") for c, h in fake.requests if c in fake.documents}
    assert all(etag and etag.startswith('"') for etag in conditional.values()), conditional
    assert outcome.summary["clip"] == "not modified"
    assert ReplicaRun.objects.first().result == "unchanged"


def test_a_changed_document_updates_just_that_record(primary):
    fake, _ = primary
    replica_pull()
    fake.documents["image_generation"][SD]["description"] = "Changed on the PRIMARY."
    outcome = replica_pull()
    assert (outcome.result, outcome.changed) == ("imported", 1)
    assert outcome.summary["image_generation"] == "0 created, 1 updated, 0 deleted"
    assert outcome.summary["clip"] == "not modified"
    record = ModelRecord.objects.get(category="image_generation", name=SD)
    assert (record.description, record.version) == ("Changed on the PRIMARY.", 2)


def test_when_the_primary_is_down_the_github_files_are_imported(primary, legacy_dir):
    fake, rsps = primary
    fake.down = True
    serve_github(rsps, legacy_dir)

    outcome = replica_pull()

    assert (outcome.result, outcome.source, outcome.changed) == ("imported", "github", 913)
    assert outcome.note == (
        f"PRIMARY unavailable: {PRIMARY}/model_references/v2/blip is not reachable (ConnectionError)"
    )
    assert ModelRecord.objects.count() == 913
    assert (
        AuditEvent.objects.filter(origin="replica", actor_name="replica pull: GitHub fallback").count() == 913
    )
    assert ReplicaRun.objects.get().source == "github"


def test_after_a_fallback_the_next_primary_pull_is_unconditional_so_the_primary_wins(primary, legacy_dir):
    fake, rsps = primary
    fake.documents["image_generation"][SD]["description"] = "Only on the PRIMARY."
    replica_pull()
    fake.down = True
    serve_github(rsps, legacy_dir)
    replica_pull()  # GitHub still has the old description
    assert ModelRecord.objects.get(name=SD).description != "Only on the PRIMARY."
    fake.down = False
    fake.requests.clear()

    outcome = replica_pull()

    headers = dict(fake.requests)
    assert "If-None-Match" not in headers["image_generation"]
    assert outcome.summary["image_generation"] == "0 created, 1 updated, 0 deleted"
    assert ModelRecord.objects.get(name=SD).description == "Only on the PRIMARY."


def test_primary_and_github_both_down_is_a_recorded_failure(primary):
    fake, rsps = primary
    fake.down = True
    rsps.add(responses.GET, re.compile(re.escape(RAW) + ".*"), body=requests.ConnectionError("no route"))

    outcome = replica_pull()

    assert outcome.result == "failed"
    assert outcome.error.startswith(
        f"PRIMARY unavailable: {PRIMARY}/model_references/v2/blip is not reachable"
    )
    assert "GitHub fallback failed: GitHub is not reachable" in outcome.error
    assert ModelRecord.objects.count() == 0
    assert ReplicaRun.objects.get().result == "failed"


def test_without_the_fallback_a_down_primary_fails_the_pull(primary, settings):
    settings.HMR_REPLICA_GITHUB_FALLBACK = False
    primary[0].down = True
    out = StringIO()
    with pytest.raises(CommandError, match=r"PRIMARY unavailable: .* \(the GitHub fallback is off\)"):
        call_command("replica_pull", stdout=out)
    assert ModelRecord.objects.count() == 0


def test_a_wrong_primary_url_answering_404_everywhere_is_treated_as_down(primary, legacy_dir):
    fake, rsps = primary
    fake.documents.clear()
    serve_github(rsps, legacy_dir)
    outcome = replica_pull()
    assert outcome.source == "github"
    assert "answered 404 for every category (check HMR_PRIMARY_API_URL)" in outcome.note


def test_data_the_replica_cannot_import_fails_the_pull_and_writes_nothing(primary):
    fake, _ = primary
    fake.documents["image_generation"][SD]["nsfw"] = "maybe"
    outcome = replica_pull()
    assert outcome.result == "failed"
    assert outcome.error.startswith(
        "The PRIMARY sent data that does not import: stable_diffusion.json, record 'stable_diffusion_2.1', field 'nsfw'"
    )
    assert (ModelRecord.objects.count(), ReplicaSource.objects.count()) == (0, 0)


def test_the_command_prints_each_category(primary):
    out = StringIO()
    call_command("replica_pull", stdout=out)
    assert "image_generation       161 created, 0 updated, 0 deleted" in out.getvalue()
    assert "imported from primary: 194 record(s) changed" in out.getvalue()


def test_a_primary_does_not_pull(settings):
    settings.HMR_REPLICATE_MODE = "PRIMARY"
    with pytest.raises(ReplicaNotAvailable):
        replica_pull()
    assert replica_pull_task.delay().get() == {"result": "skipped"}
    with pytest.raises(CommandError, match="only when HMR_REPLICATE_MODE=REPLICA"):
        call_command("replica_pull", stdout=StringIO())
    assert ReplicaRun.objects.count() == 0

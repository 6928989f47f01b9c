"""Acceptance 4: `GET /api/model_references/v2/changes`. After creates, updates and deletes (some
applied as a batch), a reader paging with the cursor sees each change once, in order, across a
restart (a fresh client for every page: the cursor is all it keeps); a `since` in the future gives
an empty page; a bad cursor gives 422."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client

from apps.api.v2.changes import CURSOR_ERROR, cursor_encode
from apps.audit import selectors as audit
from apps.audit.models import AuditEvent
from apps.audit.services import Actor
from apps.catalog.categories import Category
from apps.catalog.imports import import_references
from apps.catalog.models import ModelRecord
from apps.catalog.plans import RecordWrite
from apps.catalog.services import record_write
from apps.catalog.sources import DEMO_DIR
from apps.core import clock
from apps.moderation import services
from tests.moderation.conftest import image_payload
from tests.moderation.desk import BY_APPROVER, BY_REQUESTOR, approve_ids, propose

FEED = "/api/model_references/v2/changes"


def read_all(cursor: str | None, *, limit: int = 4, **params) -> tuple[list[dict], str | None]:
    """Page through the feed from `cursor`, as a reader that restarts before every page."""
    seen = []
    while True:
        query = {"limit": limit, **params, **({"since": cursor} if cursor else {})}
        page = Client().get(FEED, query)  # a new client: nothing but the cursor carries over
        assert page.status_code == 200, page.json()
        body = page.json()
        seen += body["changes"]
        cursor = body["next_cursor"] or cursor
        if not body["has_more"]:
            return seen, cursor


def what(items: list[dict]) -> list[tuple]:
    return [(c["operation"], c["category"], c["name"], c["fields_changed"]) for c in items]


def v2_fields(category: str, name: str) -> list[str]:
    data = ModelRecord.objects.get(category=category, name=name).data
    return [field for field in data if field != "legacy"]  # the legacy residue is no v2 field


def apply(*changes) -> None:
    batch = approve_ids(*changes)
    report = services.batch_apply(batch_id=batch.pk, job_id=None, actor=BY_APPROVER)
    assert len(report.applied) == len(changes)


@pytest.mark.django_db
def test_a_reader_sees_every_change_once_in_order_across_restarts(import_actor):
    import_references(actor=import_actor, legacy_dir=DEMO_DIR)
    imported = {(r.category, r.name) for r in ModelRecord.objects.all()}

    first, cursor = read_all(None)
    assert {(c["category"], c["name"]) for c in first} == imported and len(first) == len(imported)
    assert {c["operation"] for c in first} == {"created"} and {c["origin"] for c in first} == {"import"}
    for item in first:  # a creation lists every field the record has
        assert item["fields_changed"] == v2_fields(item["category"], item["name"])
    assert Client().get(FEED, {"since": cursor}).json()["changes"] == []  # nothing new yet

    created = services.change_enqueue(
        proposal=services.Proposal(Category.IMAGE_GENERATION, "create", "Brand New", image_payload()),
        actor=BY_REQUESTOR,
    )
    apply(created)
    painter, realism = propose("Demo Painter", description="Softer."), propose(nsfw=True, style="anime")
    apply(painter, realism)  # one batch, applied in change order
    middle, cursor = read_all(cursor)
    assert what(middle) == [
        ("created", "image_generation", "Brand New", v2_fields("image_generation", "Brand New")),
        ("updated", "image_generation", "Demo Painter", ["description"]),
        ("updated", "image_generation", "Demo Realism", ["nsfw", "style"]),
    ]
    assert {c["origin"] for c in middle} == {"api-v2"}
    assert [c["applied_at"] for c in middle] == ["2026-01-02T03:04:05Z"] * 3

    doomed = services.change_enqueue(
        proposal=services.Proposal(Category.IMAGE_GENERATION, "delete", "Demo Inpaint"), actor=BY_REQUESTOR
    )
    apply(doomed)
    last, cursor = read_all(cursor)
    assert what(last) == [("deleted", "image_generation", "Demo Inpaint", [])]

    # Read again from the start in one go: the same changes, in the same order, each once.
    again, _ = read_all(None, limit=500)
    assert [c["cursor"] for c in again] == [c["cursor"] for c in first + middle + last]
    events = AuditEvent.objects.exclude(category="pending_queue").order_by("id")
    assert [(e.operation, e.model_name) for e in events] == [
        ({"created": "create", "updated": "update", "deleted": "delete"}[c["operation"]], c["name"])
        for c in again
    ]
    # One category only.
    only, _ = read_all(None, limit=500, category="image_generation")
    assert [c["name"] for c in only] == [c["name"] for c in again if c["category"] == "image_generation"]


@pytest.mark.django_db
def test_since_a_time(import_actor, frozen_clock):
    import_references(actor=import_actor, legacy_dir=DEMO_DIR)
    clock.freeze(frozen_clock + timedelta(hours=1))
    apply(propose(description="Later."))
    page = Client().get(FEED, {"since": (frozen_clock + timedelta(minutes=30)).isoformat()}).json()
    assert what(page["changes"]) == [("updated", "image_generation", "Demo Realism", ["description"])]
    assert page["next_cursor"] == page["changes"][0]["cursor"]

    future = Client().get(FEED, {"since": "2999-01-01T00:00:00Z"})
    assert (future.status_code, future.json()) == (
        200,
        {"changes": [], "next_cursor": None, "has_more": False, "limit": 100},
    )
    beyond = cursor_encode(audit.trail_epoch(), 10**12)
    assert Client().get(FEED, {"since": beyond}).json() == {
        "changes": [],
        "next_cursor": beyond,
        "has_more": False,
        "limit": 100,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["garbage", "c1.!!!", "c1." + "aGVsbG8", "2026-13-45"])
def test_a_bad_cursor_is_a_422(import_actor, bad):
    import_references(actor=import_actor, legacy_dir=DEMO_DIR)
    response = Client().get(FEED, {"since": bad})
    assert (response.status_code, response.json()) == (
        422,
        {"detail": [{"type": "value_error", "loc": ["query", "since"], "msg": CURSOR_ERROR, "input": bad}]},
    )


@pytest.mark.django_db
def test_a_cursor_of_another_instance_and_bad_parameters(import_actor):
    import_references(actor=import_actor, legacy_dir=DEMO_DIR)
    other = cursor_encode("0badc0de", 5)
    response = Client().get(FEED, {"since": other})
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == (
        "Value error, this cursor belongs to another HMR instance's audit trail; read from the start"
    )
    assert Client().get(FEED, {"limit": 501}).json()["detail"][0]["loc"] == ["query", "limit"]
    category = Client().get(FEED, {"category": "nope"})
    assert (category.status_code, category.json()["detail"][0]["loc"]) == (422, ["query", "category"])


@pytest.mark.django_db(transaction=True)
def test_a_write_committed_later_never_hides_behind_a_cursor(import_actor):
    """Two writers at once: the second waits for the first to commit before it writes its event,
    so no reader can see the second's event (and move its cursor past it) while the first's
    lower id is still uncommitted."""
    import_references(actor=import_actor, legacy_dir=DEMO_DIR)
    cursor = Client().get(FEED, {"limit": 500}).json()["next_cursor"]
    holding, release = threading.Event(), threading.Event()
    actor = Actor("admin", "django:1", "root")

    def write(name: str, category: Category, hold: bool) -> None:
        try:
            row = ModelRecord.objects.get(category=category.value, name=name)
            data = {**row.data, "description": f"{name}, rewritten."}
            with transaction.atomic():
                record_write(write=RecordWrite(category, name, "update", data, row.version), actor=actor)
                if hold:
                    holding.set()
                    release.wait(10)
        finally:
            connection.close()

    other = (
        ModelRecord.objects.exclude(category="image_generation").exclude(category="text_generation").first()
    )
    first = threading.Thread(target=write, args=("Demo Realism", Category.IMAGE_GENERATION, True))
    second = threading.Thread(target=write, args=(other.name, Category(other.category), False))
    first.start()
    assert holding.wait(10)
    second.start()
    time.sleep(0.5)  # time enough for the second to commit, were it not waiting
    assert Client().get(FEED, {"since": cursor}).json()["changes"] == []
    release.set()
    first.join(10)
    second.join(10)
    after = Client().get(FEED, {"since": cursor}).json()["changes"]
    assert [c["name"] for c in after] == ["Demo Realism", other.name]


@pytest.mark.django_db
def test_the_feed_is_documented():
    paths = Client().get("/api/openapi.json").json()["paths"]
    get = paths[FEED]["get"]
    assert get["operationId"] == "v2_changes"
    assert [p["name"] for p in get["parameters"]] == ["category", "limit", "since"]
    assert get["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CatalogChangesPage"
    }

"""A record whose name and fields carry HTML, proposed through the queue and applied, is shown
escaped on every catalog and desk page: its markup is never markup, its `javascript:` addresses
are never links."""

from __future__ import annotations

import re
from html import escape

import pytest

from apps.catalog.categories import Category
from apps.catalog.models import ModelRecord
from apps.moderation import services
from apps.moderation.models import PendingChange
from tests.fake_horde import APPROVER
from tests.moderation.conftest import ADMIN_BATCHES, ADMIN_QUEUE, ADMIN_RECORDS, admin_signed_in
from tests.moderation.desk import BY_APPROVER, BY_REQUESTOR, approve_ids, form_data

pytestmark = pytest.mark.django_db

NAME = '<script>alert("name")</script> & <b>bold</b>'
DESCRIPTION = '<img src=x onerror=alert(1)> it\'s "quoted"'
TAG = "<i>tag</i>"
TRIGGER = "<svg onload=alert(2)>"
BAD_URL = "javascript:alert(3)"
MARKUP = (NAME, DESCRIPTION, TAG, TRIGGER)
# Every piece of markup above starts one of these; none may reach a page as a tag.
RAW = re.compile(r"<(script>alert|script>batch|b>bold|img src=x|i>tag|svg onload)")
BATCH_TITLE = "<script>batch</script>"


def payload(name: str) -> dict:
    return {
        "name": name,
        "baseline": "stable_diffusion_xl",
        "nsfw": False,
        "style": "anime",
        "description": DESCRIPTION,
        "tags": [TAG],
        "trigger": [TRIGGER],
        "showcases": [BAD_URL],
        "homepage": BAD_URL,
        "requirements": {"<u>key</u>": "<u>value</u>"},
        "config": {"download": [{"file_name": "<b>f</b>.safetensors", "file_url": BAD_URL}]},
    }


def assert_escaped(response, *, expect: str | None = NAME) -> str:
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    raw = RAW.search(html)
    assert raw is None, html[max(0, raw.start() - 200) : raw.end() + 200]
    assert not re.search(r"""(href|src|action)=["']?\s*javascript:""", html, re.IGNORECASE)
    if expect is not None:
        assert escape(expect) in html, f"{expect!r} is not shown"
    return html


@pytest.fixture
def hostile(catalog, horde, grants, django_capture_on_commit_callbacks):
    """The record created and edited through the queue (both applied), and one edit left pending."""
    create = services.change_enqueue(
        proposal=services.Proposal(Category.IMAGE_GENERATION, "create", NAME, payload(NAME)),
        actor=BY_REQUESTOR,
    )
    approve_ids(create, title=BATCH_TITLE)
    with django_capture_on_commit_callbacks(execute=True):
        services.changes_apply(change_ids=[create.pk], job_id=None, actor=BY_APPROVER)
    edited = {**payload(NAME), "description": DESCRIPTION + " <img src=x onerror=alert(4)>"}
    update = services.change_enqueue(
        proposal=services.Proposal(Category.IMAGE_GENERATION, "update", NAME, edited), actor=BY_REQUESTOR
    )
    return ModelRecord.objects.get(name=NAME), PendingChange.objects.get(pk=create.pk), update


def test_the_catalog_shows_it_escaped_everywhere(hostile, client):
    record, _, _ = hostile
    pages = [
        "/",
        "/image_generation/",
        "/image_generation/?view=table",
        "/image_generation/?q=script&view=table",
        "/image_generation/?tag=%3Ci%3Etag%3C%2Fi%3E",
        "/image_generation/changes/",
        "/search?q=script",
    ]
    for address in pages:
        assert_escaped(client.get(address))
    detail = assert_escaped(client.get(f"/image_generation/model/{record.name}"))
    for piece in (DESCRIPTION, TAG, TRIGGER, "<u>key</u>", "<u>value</u>", "<b>f</b>.safetensors"):
        assert escape(piece) in detail
    assert escape(BAD_URL) in detail  # shown as text, not as an address
    # A query string with markup is shown escaped too.
    searched = assert_escaped(
        client.get("/image_generation/", {"q": '<script>alert("name")</script>'}), expect=None
    )
    assert 'value="&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;"' in searched


def test_the_desk_shows_it_escaped_everywhere(hostile):
    record, applied, pending = hostile
    desk = admin_signed_in(APPROVER.apikey)
    pages = [
        ADMIN_QUEUE,
        f"{ADMIN_QUEUE}?q=script",
        f"{ADMIN_QUEUE}{applied.pk}/change/",
        f"{ADMIN_QUEUE}{pending.pk}/change/",
        f"{ADMIN_BATCHES}{applied.batch_id}/change/",
        ADMIN_RECORDS,
        f"{ADMIN_RECORDS}{record.pk}/change/",
        "/admin/audit/auditevent/",
    ]
    for address in pages:
        assert_escaped(desk.get(address))
    assert_escaped(desk.get(ADMIN_BATCHES), expect=BATCH_TITLE)
    assert escape(BATCH_TITLE) in assert_escaped(desk.get(f"{ADMIN_QUEUE}{applied.pk}/change/"))

    # The bulk pages (approve, reject) with the pending edit's diff.
    for action in ("approve_as_batch", "reject"):
        response = desk.post(ADMIN_QUEUE, {"action": action, "_selected_action": [pending.pk]})
        assert_escaped(response)

    # A proposal of the record: its form and its review step.
    url = f"{ADMIN_RECORDS}{record.pk}/propose-edit/"
    form = desk.get(url)
    assert_escaped(form)
    review = desk.post(url, {**form_data(form), "description": "Plain words now."})
    assert review.context["mode"] == "review"
    assert_escaped(review)

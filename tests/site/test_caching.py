"""Catalog pages are rendered once per data revision, answer ETag / 304, and change as soon as a
change is applied."""

from __future__ import annotations

import gzip

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog.models import ModelRecord
from apps.moderation import services
from apps.site import caching
from tests.fake_horde import REQUESTOR
from tests.moderation.conftest import admin_signed_in
from tests.moderation.desk import BY_APPROVER, approve_ids, propose, text

pytestmark = pytest.mark.django_db
PAGES = (
    "/",
    "/image_generation/",
    "/image_generation/?nsfw=show&view=table",
    "/text_generation/",
    "/image_generation/model/Demo Realism",
    "/image_generation/changes/",
    "/search?q=demo",
)


@pytest.mark.parametrize("address", PAGES)
def test_every_page_has_a_validator_and_answers_304_when_it_is_current(catalog, client, address):
    first = client.get(address)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert first["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert first["Vary"] == "Accept-Encoding, Cookie"
    assert "script-src 'self'" in first["Content-Security-Policy"]

    again = client.get(address, HTTP_IF_NONE_MATCH=etag)
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", etag)
    assert "Content-Type" not in again
    assert client.get(address, HTTP_IF_NONE_MATCH='"something else"').content == first.content

    zipped = client.get(address, HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == first.content
    assert zipped["ETag"] == etag[:-1] + '-gzip"'
    assert (
        client.get(address, HTTP_IF_NONE_MATCH=zipped["ETag"], HTTP_ACCEPT_ENCODING="gzip").status_code == 304
    )


def test_a_page_is_rendered_once_per_revision(catalog, client):
    client.get("/image_generation/")  # rendered and kept
    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            assert client.get("/image_generation/").status_code == 200
    # No query renders the page again; at most the current revision is looked up.
    assert all("catalog_categorymetadata" in q["sql"] for q in queries.captured_queries), (
        queries.captured_queries
    )
    assert len(caching.store) == 1


def test_an_applied_change_shows_at_once_and_changes_the_validator(
    catalog, client, django_capture_on_commit_callbacks
):
    record_page, category_page = "/image_generation/model/Demo Realism", "/image_generation/"
    before = {address: client.get(address) for address in (record_page, category_page, "/")}
    assert "Sharper portraits, retrained." not in before[record_page].content.decode()

    change = propose(description="Sharper portraits, retrained.")
    approve_ids(change)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.changes_apply(change_ids=[change.pk], job_id=None, actor=BY_APPROVER)
    assert report.applied

    for address, old in before.items():
        new = client.get(address, HTTP_IF_NONE_MATCH=old["ETag"])
        assert new.status_code == 200, address  # the old copy is no longer current
        assert new["ETag"] != old["ETag"]
    page = text(client.get(record_page).content.decode())
    assert "Sharper portraits, retrained." in page
    assert "updated Demo Realism (description)" in text(client.get(category_page).content.decode())
    assert "History updated Demo Realism (description) 2026-01-02 03:04 by App#2002" in page
    assert ModelRecord.objects.get(name="Demo Realism").description == "Sharper portraits, retrained."


def test_the_store_keeps_the_most_recently_used_pages_within_its_bytes():
    store = caching.PageStore(max_bytes=300)
    page = caching.Page(200, b"x" * 100, None, '"e"')
    for key in ("a", "b", "c"):
        store.put((key,), page)
    store.get(("a",))  # used: "b" is now the oldest
    store.put(("d",), page)
    assert [store.get((k,)) is not None for k in "abcd"] == [True, False, True, True]
    store.put(("d",), page)  # replacing a page does not count it twice
    assert len(store) == 3 and store._bytes == 300


def test_contributors_get_propose_links_and_visitors_never_see_them(catalog, client, horde, grants, settings):
    record = ModelRecord.objects.get(name="Demo Realism")
    address = "/image_generation/model/Demo Realism"
    contributor = admin_signed_in(REQUESTOR.apikey)
    signed_in = contributor.get(address)
    link = f'href="/admin/catalog/modelrecord/{record.pk}/propose-edit/"'
    assert link in signed_in.content.decode() and ">Propose a change</a>" in signed_in.content.decode()
    assert signed_in["Cache-Control"] == "private, max-age=0, must-revalidate"
    category = contributor.get("/image_generation/").content.decode()
    assert 'href="/admin/catalog/modelrecord/propose/image_generation/" id="propose-new"' in category

    public = client.get(address)  # after the contributor's visit: a page of its own
    assert link not in public.content.decode() and "Propose a change" not in public.content.decode()
    assert "Contributors can sign in to propose a change." in text(public.content.decode())
    assert public["ETag"] != signed_in["ETag"]

    settings.HMR_REPLICATE_MODE = "REPLICA"  # a replica takes no proposals (the mode is fixed at start,
    # so pages are not keyed by it: a new address here)
    assert link not in contributor.get("/image_generation/model/Demo Realism?replica=1").content.decode()

"""The WSGI hot path: replays marked responses while current, never a stale one."""

import gc
import gzip
import io
import time
import weakref

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from apps.api import hot
from apps.catalog.imports import import_references
from apps.catalog.revisions import watcher
from hmr_site.wsgi import application

pytestmark = pytest.mark.django_db
DOC = "/api/model_references/v1/stable_diffusion"


class Call:
    def __init__(self, path: str, query: str = "", **headers) -> None:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "HTTP_HOST": "testserver",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.url_scheme": "http",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.errors": io.StringIO(),
        }
        environ.update({f"HTTP_{k.upper()}": v for k, v in headers.items()})
        self.django_ran = False

        def mark(**kwargs):
            self.django_ran = True

        # As Django's test client does: keep the test's database connection (and transaction) open.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        request_started.connect(mark)
        try:
            chunks = application(environ, self._start)
            self.body = b"".join(chunks)
            getattr(chunks, "close", lambda: None)()
            # Django's response (the hot path answers with a plain list, which has no weak reference)
            self.response = None if isinstance(chunks, list) else weakref.ref(chunks)
        finally:
            request_started.disconnect(mark)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)

    def _start(self, status, headers, exc_info=None):
        self.status = int(status.split()[0])
        self.headers = {k.lower(): v for k, v in headers}


@pytest.fixture
def live_catalog(imported, django_capture_on_commit_callbacks, legacy_dir, import_actor):
    """The catalog with its revisions announced, and this process's watcher subscribed."""
    hot.store.clear()
    deadline = time.monotonic() + 5
    while watcher.known("blip") is None and not watcher._live and time.monotonic() < deadline:
        time.sleep(0.05)
    from apps.catalog.categories import Category
    from apps.catalog.documents import documents_invalidate

    documents_invalidate(list(Category))  # what the import's on-commit hook does
    assert watcher._live, "the revision watcher did not subscribe"
    yield
    hot.store.clear()


def comparable(call: Call) -> dict:
    return {k: v for k, v in call.headers.items() if k not in ("date", "server")}


def test_a_polled_document_is_replayed_without_django_and_identically(live_catalog, legacy_dir):
    first = Call(DOC)
    second = Call(DOC)
    assert (first.django_ran, second.django_ran) == (True, False)
    assert first.status == second.status == 200
    assert second.body == first.body == (legacy_dir / "image/stable_diffusion.json").read_bytes()
    assert comparable(second) == comparable(first)
    assert second.headers["x-content-type-options"] == "nosniff"


def test_conditional_and_gzip_on_the_hot_path_match_django(live_catalog):
    Call(DOC)  # remembered
    etag = Call(DOC).headers["etag"]
    not_modified = Call(DOC, if_none_match=etag)
    assert (not_modified.status, not_modified.body, not_modified.django_ran) == (304, b"", False)
    django_304 = Call(DOC, origin="https://example.org", if_none_match=etag)  # Origin: through Django
    assert django_304.django_ran and django_304.status == 304
    zipped = Call(DOC, accept_encoding="gzip")
    assert (zipped.django_ran, zipped.headers["content-encoding"]) == (False, "gzip")
    assert zipped.headers["etag"] == etag[:-1] + '-gzip"'


def test_search_and_single_records_are_replayed_too(live_catalog):
    path = "/api/model_references/v2/text_generation/model/anthracite-org/magnum-12b-v2"
    first, second = Call(path), Call(path)
    assert (first.django_ran, second.django_ran, second.body) == (True, False, first.body)
    query = "name_contains=flux&limit=2"
    search_first = Call("/api/model_references/v2/search", query)
    search_second = Call("/api/model_references/v2/search", query)
    assert (search_second.django_ran, search_second.body) == (False, search_first.body)
    other_query = Call("/api/model_references/v2/search", "name_contains=flux&limit=3")
    assert other_query.django_ran


def test_after_a_write_the_next_read_goes_to_django_and_is_new(
    live_catalog, legacy_copy, import_actor, django_capture_on_commit_callbacks
):
    before = Call(DOC)
    Call(DOC)
    path = legacy_copy / "image/stable_diffusion.json"
    path.write_bytes(
        path.read_bytes().replace(b"SDXL Model that doesn't require a refiner.", b"Edited again.")
    )
    with django_capture_on_commit_callbacks(execute=True):
        import_references(actor=import_actor, legacy_dir=legacy_copy)
    after = Call(DOC)
    assert after.django_ran and after.body == path.read_bytes() != before.body
    assert not Call(DOC).django_ran  # and is remembered again


def test_errors_credentials_and_cors_are_never_replayed(live_catalog):
    for _ in range(2):
        missing = Call("/api/model_references/v2/image_generation/model/Nope")
        assert missing.django_ran and missing.status == 404
    Call(DOC)
    with_key = Call(DOC, apikey="secret")
    assert with_key.django_ran
    cors = Call(DOC, origin="https://example.org")
    assert cors.django_ran


def test_without_a_live_watcher_everything_goes_through_django(live_catalog):
    Call(DOC)
    watcher._live = False
    try:
        assert Call(DOC).django_ran
    finally:
        watcher._live = True


def test_the_store_is_bounded_by_bytes_as_well_as_entries(monkeypatch):
    monkeypatch.setattr(hot, "MAX_BYTES", 250)
    entry = hot.HotEntry((), (), b"x" * 100, None, '"e"', None, None)
    store = hot._Store()
    for key in ("a", "b", "c"):
        store.put(key, entry)
    assert (store.get("a"), store.get("b") is entry, store.get("c") is entry) == (None, True, True)
    store.put("b", entry)  # replacing an entry does not count it twice
    assert store.get("c") is entry and store._bytes == 200


def test_the_watcher_rereads_revisions_it_was_never_told_about(live_catalog, monkeypatch):
    """A lost announcement (the publisher's Redis call failed) is caught by the periodic resync."""
    from apps.catalog.models import CategoryMetadata
    from apps.catalog.revisions import RevisionWatcher

    fresh = RevisionWatcher()
    monkeypatch.setattr(
        "apps.catalog.revisions.connection.close", lambda: None
    )  # keep the test's transaction
    fresh._resync()
    known = fresh._known["blip"]
    CategoryMetadata.objects.filter(category="blip").update(
        revision=known + 5
    )  # committed elsewhere, unannounced
    fresh._resync()
    assert fresh._known["blip"] == known + 5


@pytest.mark.parametrize("fmt", ["v1", "v2"])
def test_a_document_django_served_goes_with_its_request(imported, fmt):
    """Nothing keeps Django's response (and the document's bytes in it) once it is sent: not the
    view, whose request refers back to it (a cycle only a full garbage collection would free)."""
    from apps.catalog import documents
    from apps.catalog.categories import Category

    expected = documents.category_document(Category.TEXT_GENERATION, fmt).body
    gc.collect()
    gc.disable()  # only reference counting may free it
    try:
        call = Call(f"/api/model_references/{fmt}/text_generation", accept_encoding="gzip")
        assert (call.status, call.django_ran) == (200, True)
        assert gzip.decompress(call.body) == expected
        assert call.response() is None
    finally:
        gc.enable()

"""Documents assembled from kept per-record pieces (catalog/assembly.py) are the bytes of a full
render (formats/render.py), on the real data and on it copied ten times, before and after writes;
a write renders only the records it changed; the gzip is a valid gzip of those bytes."""

import gzip
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from apps.audit.services import Actor
from apps.catalog import assembly, selectors
from apps.catalog.categories import Category
from apps.catalog.formats import pieces, render
from apps.catalog.imports import import_references
from apps.catalog.models import ModelRecord
from apps.catalog.plans import RecordWrite
from apps.catalog.services.records import record_write

pytestmark = pytest.mark.django_db
MODERATOR = Actor("admin", "django:1", "moderator")


def full_render(category: Category, fmt: str) -> bytes:
    """What the full renderers give for `fmt` (the reference the assembly must equal)."""
    snapshot = selectors.category_records(category)
    if fmt in render.FORMATS:
        return render.document_body(snapshot, fmt)
    if fmt == pieces.V2_FILE:
        return render.v2_file(snapshot).encode()
    files = render.legacy_files(snapshot)
    path = render.legacy_export_path(category) if fmt == pieces.LEGACY_FILE else pieces.text_db_path()
    return files[path].encode()


def every_format():
    return [(category, fmt) for category in Category for fmt in pieces.assembled_formats(category)]


def assert_all_identical() -> dict:
    """Assemble every format of every category; each equals its full render. Returns the results."""
    results = {}
    for category, fmt in every_format():
        built = assembly.assemble(category, fmt)
        expected = full_render(category, fmt)
        assert built.body == expected, (category, fmt)
        assert gzip.decompress(built.gzipped) == expected, (category, fmt)
        results[(category, fmt)] = built
    return results


def update(category: Category, name: str, **changes) -> None:
    row = ModelRecord.objects.get(category=category.value, name=name)
    with transaction.atomic():
        record_write(
            write=RecordWrite(category, name, "update", {**row.data, **changes}, row.version), actor=MODERATOR
        )


def test_every_format_of_the_real_data_is_the_full_render(imported):
    first = assert_all_identical()
    assert {c for c, _ in every_format()} == set(Category)
    assert (
        first[(Category.TEXT_GENERATION, render.V1)].rendered
        == ModelRecord.objects.filter(category=Category.TEXT_GENERATION.value).count()
    )
    again = assert_all_identical()  # nothing changed: nothing rendered, the same bytes
    assert all(built.rendered == 0 for built in again.values())
    assert all(again[key].body == first[key].body for key in first)


def test_a_write_renders_only_the_records_it_changed(imported):
    assert_all_identical()
    text = ModelRecord.objects.filter(category=Category.TEXT_GENERATION.value).order_by("position")[5]
    image = ModelRecord.objects.filter(category=Category.IMAGE_GENERATION.value).order_by("position")[7]
    update(Category.TEXT_GENERATION, text.name, description="Rewritten for the assembly test.")
    update(Category.IMAGE_GENERATION, image.name, nsfw=not image.data.get("nsfw"), description="Also new.")
    donor = ModelRecord.objects.filter(category=Category.CONTROLNET.value).order_by("position").first()
    with transaction.atomic():
        record_write(
            write=RecordWrite(
                Category.CONTROLNET, "assembly-new", "create", {**donor.data, "name": "assembly-new"}
            ),
            actor=MODERATOR,
        )
    gone = ModelRecord.objects.filter(category=Category.ESRGAN.value).order_by("position")[2]
    with transaction.atomic():
        record_write(
            write=RecordWrite(Category.ESRGAN, gone.name, "delete", None, gone.version), actor=MODERATOR
        )

    after = assert_all_identical()
    changed = {Category.TEXT_GENERATION: 1, Category.IMAGE_GENERATION: 1, Category.CONTROLNET: 1}
    for (category, fmt), built in after.items():
        assert built.rendered == changed.get(category, 0), (category, fmt)
    v1 = after[(Category.TEXT_GENERATION, render.V1)].body.decode()
    assert "Rewritten for the assembly test." in v1
    assert b"assembly-new" in after[(Category.CONTROLNET, render.V2)].body
    assert gone.name.encode() not in after[(Category.ESRGAN, render.V2)].body


def test_a_reimport_with_another_profile_renders_everything_again(imported, legacy_copy, import_actor):
    assert_all_identical()
    path = legacy_copy / "image" / "esrgan.json"
    path.write_text(path.read_text().replace("\n", "\r\n"))  # the same records, another newline
    import_references(actor=import_actor, legacy_dir=legacy_copy)
    after = assert_all_identical()
    esrgan = ModelRecord.objects.filter(category=Category.ESRGAN.value).count()
    assert after[(Category.ESRGAN, render.V1)].body.count(b"\r\n") > 0
    assert after[(Category.ESRGAN, render.V1)].rendered == esrgan
    assert after[(Category.ESRGAN, render.V2)].rendered == 0  # v2 does not depend on the file's profile


def test_the_real_data_copied_ten_times(legacy_dir, tmp_path, import_actor):
    call_command(
        "scale_legacy",
        "--legacy",
        str(legacy_dir),
        "--times",
        "10",
        "--out",
        str(tmp_path / "x10"),
        verbosity=0,
    )
    import_references(actor=import_actor, legacy_dir=tmp_path / "x10")
    text_count = ModelRecord.objects.filter(category=Category.TEXT_GENERATION.value).count()
    assert text_count > 9 * 700  # every unquoted row of models.csv, ten times
    assert_all_identical()
    copies = ModelRecord.objects.filter(category=Category.TEXT_GENERATION.value, name__endswith="-copy7")
    copy = copies.order_by("position").last()
    update(Category.TEXT_GENERATION, copy.name, description="Changed at ten times the size.")
    after = assert_all_identical()
    assert after[(Category.TEXT_GENERATION, render.V1)].rendered == 1
    assert b"Changed at ten times the size." in after[(Category.TEXT_GENERATION, pieces.TEXT_DB)].body


@pytest.mark.django_db(transaction=True)
def test_a_process_that_took_a_document_from_redis_keeps_its_pieces(
    legacy_dir, import_actor, settings, monkeypatch
):
    """Another process built and stored the document; this one serves it from Redis and builds
    its pieces in the background, so its next change renders one record."""
    from apps.catalog import documents

    settings.HMR_DOCUMENT_PIECES_WARM = True
    import_references(actor=import_actor, legacy_dir=legacy_dir)
    built = documents.category_document(Category.TEXT_GENERATION, render.V1)
    documents._memo.clear()  # this process is now "another process": nothing in memory
    assembly.forget()
    threads = []  # the warm-up thread, to wait for it
    original = assembly.warm_in_background
    monkeypatch.setattr(
        assembly, "warm_in_background", lambda *args: threads.append(original(*args)) or threads[-1]
    )
    served = documents.category_document(Category.TEXT_GENERATION, render.V1)
    assert served.body == built.body and served.etag == built.etag
    assert len(threads) == 1
    threads[0].join(30)
    assert assembly.holds(Category.TEXT_GENERATION, render.V1)
    # From then on it serves the body it keeps for its next change, not a second copy from Redis.
    kept = assembly.assemble(Category.TEXT_GENERATION, render.V1)
    assert kept.rendered == 0
    adopted = documents.category_document(Category.TEXT_GENERATION, render.V1)
    assert adopted.body is kept.body and adopted.gzipped == kept.gzipped
    assert adopted.etag == built.etag and adopted.revision == built.revision
    assert gzip.decompress(adopted.gzipped) == built.body
    record = ModelRecord.objects.filter(category=Category.TEXT_GENERATION.value).order_by("position").first()
    update(Category.TEXT_GENERATION, record.name, description="After the warm-up.")
    after = assembly.assemble(Category.TEXT_GENERATION, render.V1)
    assert after.rendered == 1
    assert after.body == full_render(Category.TEXT_GENERATION, render.V1)


@pytest.mark.django_db(transaction=True)
def test_warm_ups_of_one_process_run_one_after_another(legacy_dir, import_actor, monkeypatch):
    """Two documents taken from Redis at once are warmed in turn, not side by side (each warm-up
    holds a whole document's parts while it lays them out)."""
    import_references(actor=import_actor, legacy_dir=legacy_dir)
    running, most = [0], [0]
    guard = threading.Lock()
    original = assembly.assemble

    def counted(category, fmt, **kwargs):
        with guard:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            time.sleep(0.05)  # long enough for a second warm-up to start beside this one
            return original(category, fmt, **kwargs)
        finally:
            with guard:
                running[0] -= 1

    monkeypatch.setattr(assembly, "assemble", counted)
    built = []
    threads = [
        assembly.warm_in_background(Category.TEXT_GENERATION, fmt, built.append)
        for fmt in (render.V1, render.V2)
    ]
    for thread in threads:
        thread.join(30)
    assert most[0] == 1
    expected = sorted(full_render(Category.TEXT_GENERATION, fmt) for fmt in (render.V1, render.V2))
    assert sorted(b.body for b in built) == expected  # each handed on as built, in whichever order
    assert assembly.holds(Category.TEXT_GENERATION, render.V1)
    assert assembly.holds(Category.TEXT_GENERATION, render.V2)


# --- The changes feed: rows carry the revision that wrote them ----------------------------------


def stub_reads(queries) -> int:
    """How many of `queries` read every record's stub (the full read the feed avoids)."""
    return sum("SELECT id, version, name, position" in q["sql"] for q in queries)


def metadata(category: Category):
    from apps.catalog.models import CategoryMetadata

    return CategoryMetadata.objects.get(category=category.value)


@pytest.mark.django_db(transaction=True)
def test_a_catalog_emptied_and_imported_again_is_read_whole_though_its_revision_repeats(
    legacy_dir, legacy_history_dir, import_actor
):
    """The tables emptied under a running process (bench/import_export.py does it; so would a
    new database) and another state imported: the revision counts from 1 again, so the kept
    pieces must not be taken as that revision's."""
    text = Category.TEXT_GENERATION
    import_references(actor=import_actor, legacy_dir=legacy_dir)
    first = {fmt: assembly.assemble(text, fmt) for fmt in (render.V1, render.V2)}
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE catalog_modelrecord, catalog_recordtag, catalog_downloadfile, "
            "catalog_sourceformat, catalog_categorymetadata, audit_auditevent CASCADE"
        )
    import_references(actor=import_actor, legacy_dir=legacy_history_dir / "2024-spring")
    for fmt in (render.V1, render.V2):  # v2 is not shaped by the file's profile, v1 is
        again = assembly.assemble(text, fmt)
        assert again.revision == first[fmt].revision  # the same number, another state of the records
        assert again.body == full_render(text, fmt) != first[fmt].body


def test_written_rows_carry_their_revision_and_reshaping_writes_the_shape_revision(imported):
    text = Category.TEXT_GENERATION
    imported_state = metadata(text)
    rows = ModelRecord.objects.filter(category=text.value)
    assert set(rows.values_list("revision", flat=True)) == {imported_state.revision}
    assert imported_state.shape_revision == imported_state.revision

    record = rows.order_by("position")[3]
    update(text, record.name, description="Fed through the changes feed.")
    after_update = metadata(text)
    assert after_update.revision == imported_state.revision + 1
    assert after_update.shape_revision == imported_state.revision  # an update in place keeps the shape
    assert list(rows.filter(revision__gt=imported_state.revision).values_list("name", flat=True)) == [
        record.name
    ]

    with transaction.atomic():
        record_write(
            write=RecordWrite(text, record.name, "delete", None, record.version + 1), actor=MODERATOR
        )
    after_delete = metadata(text)
    assert after_delete.shape_revision == after_delete.revision == after_update.revision + 1


def test_an_update_is_assembled_from_the_changes_feed_without_reading_every_stub(imported):
    from django.test.utils import CaptureQueriesContext

    assert_all_identical()
    text = ModelRecord.objects.filter(category=Category.TEXT_GENERATION.value).order_by("position")[11]
    update(Category.TEXT_GENERATION, text.name, description="Read from the feed.")
    with CaptureQueriesContext(connection) as queries:
        after = assert_all_identical()
    assert stub_reads(queries) == 0
    assert all(
        built.rendered == (category == Category.TEXT_GENERATION) for (category, _), built in after.items()
    )

    donor = ModelRecord.objects.filter(category=Category.CONTROLNET.value).order_by("position").first()
    with transaction.atomic():  # a new record changes the order: that category's stubs are read again
        record_write(
            write=RecordWrite(Category.CONTROLNET, "feed-new", "create", {**donor.data, "name": "feed-new"}),
            actor=MODERATOR,
        )
    with CaptureQueriesContext(connection) as queries:
        after = assert_all_identical()
    assert stub_reads(queries) == len(pieces.assembled_formats(Category.CONTROLNET))
    assert b"feed-new" in after[(Category.CONTROLNET, render.V2)].body


def test_a_reimport_that_moves_records_reads_the_stubs_again(imported, legacy_copy, import_actor):
    import json

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert_all_identical()
    path = legacy_copy / "image" / "esrgan.json"
    entries = list(json.loads(path.read_text()).items())
    entries[0], entries[1] = entries[1], entries[0]  # the same records, two of them swapped
    path.write_text(json.dumps(dict(entries), indent=4) + "\n")
    import_references(actor=import_actor, legacy_dir=legacy_copy)
    state = metadata(Category.ESRGAN)
    assert state.shape_revision == state.revision
    with CaptureQueriesContext(connection) as queries:
        after = assert_all_identical()
    assert stub_reads(queries) >= len(pieces.assembled_formats(Category.ESRGAN))
    v2 = after[(Category.ESRGAN, render.V2)].body
    assert v2.index(json.dumps(entries[0][0]).encode()) < v2.index(json.dumps(entries[1][0]).encode())


def test_a_db_json_key_two_records_share_survives_updates_and_deletes(imported):
    """Two text records whose names differ only by author share a `koboldcpp/<model>` key: the
    first keeps the key's place, the second its text (a dictionary's rule). The first record's
    own text for that key is in no document then, and must come back, as last updated, when the
    second goes."""
    text = Category.TEXT_GENERATION
    assert_all_identical()
    first = ModelRecord.objects.filter(category=text.value, name__contains="/").order_by("position")[4]
    model = first.name.split("/")[1]
    twin = f"assembly-twin/{model}"
    with transaction.atomic():
        record_write(write=RecordWrite(text, twin, "create", {**first.data, "name": twin}), actor=MODERATOR)
    after = assert_all_identical()
    shared = f'"koboldcpp/{model}": {{'.encode()  # the entry's key (its "name" repeats it)
    assert after[(text, render.V1)].body.count(shared) == 1
    assert (
        first.pk in assembly._kept[(text.value, render.V1)].aside
    )  # its text is kept aside, not in the body

    update(text, first.name, description="The first twin, rewritten while its key was taken.")
    after = assert_all_identical()
    assert after[(text, render.V1)].rendered == 1
    with transaction.atomic():
        twin_row = ModelRecord.objects.get(category=text.value, name=twin)
        record_write(write=RecordWrite(text, twin, "delete", None, twin_row.version), actor=MODERATOR)
    after = assert_all_identical()
    assert after[(text, render.V1)].rendered == 0  # the first twin's whole text came from what was kept
    assert after[(text, render.V1)].body.count(b"The first twin, rewritten while its key was taken.") == 3

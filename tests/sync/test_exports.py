"""Exports into HMR_EXPORT_DIR: exact bytes, written only when they change, queued after commits."""

import json
import logging
import os
import shutil
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.catalog.categories import Category
from apps.sync.models import ExportedFile, ExportRun
from apps.sync.services.exports import category_export
from apps.sync.tasks import export_all

pytestmark = pytest.mark.django_db
IMAGE = Category.IMAGE_GENERATION
SD_FILES = ["v2/stable_diffusion.json", "legacy/image/stable_diffusion.json"]


def mtimes(root, paths):
    return {p: (root / p).stat().st_mtime_ns for p in paths}


def test_a_category_export_writes_its_v2_and_legacy_files_byte_for_byte(
    imported_image, export_dir, legacy_dir
):
    outcome = category_export(category=IMAGE)

    assert (outcome.result, outcome.written) == ("written", SD_FILES)
    legacy = (export_dir / "legacy/image/stable_diffusion.json").read_bytes()
    assert legacy == (legacy_dir / "image/stable_diffusion.json").read_bytes()
    v2 = json.loads((export_dir / "v2/stable_diffusion.json").read_text())
    assert len(v2) == 161
    assert v2["stable_diffusion_2.1"]["record_type"] == "image_generation"
    run = ExportRun.objects.get()
    assert (run.category, run.result, run.files_written, run.revision) == (
        "image_generation",
        "written",
        2,
        1,
    )
    files = {f.path: f for f in ExportedFile.objects.all()}
    assert set(files) == set(SD_FILES)
    assert files["legacy/image/stable_diffusion.json"].size_bytes == len(legacy)
    assert oct((export_dir / SD_FILES[1]).stat().st_mode & 0o777) == "0o644"


def test_the_text_category_exports_models_csv_db_json_and_its_v2_file(imported, export_dir, legacy_dir):
    outcome = category_export(category=Category.TEXT_GENERATION)
    assert outcome.written == ["v2/text_generation.json", "legacy/text/models.csv", "legacy/text/db.json"]
    assert (export_dir / "legacy/text/db.json").read_bytes() == (legacy_dir / "text/db.json").read_bytes()
    assert len(json.loads((export_dir / "v2/text_generation.json").read_text())) == 719


def test_exporting_unchanged_data_again_writes_nothing(imported_image, export_dir):
    category_export(category=IMAGE)
    before = mtimes(export_dir, SD_FILES)
    written_at = list(ExportedFile.objects.values_list("path", "written_at"))
    time.sleep(0.01)

    outcome = category_export(category=IMAGE)

    assert (outcome.result, outcome.written, outcome.unchanged) == ("unchanged", [], SD_FILES)
    assert mtimes(export_dir, SD_FILES) == before
    assert list(ExportedFile.objects.values_list("path", "written_at")) == written_at
    assert list(ExportRun.objects.values_list("result", flat=True)) == ["unchanged", "written"]


def test_an_import_that_changes_a_category_exports_it_after_commit(
    imported_image, export_dir, edit, django_capture_on_commit_callbacks
):
    category_export(category=IMAGE)
    clip_before = mtimes(export_dir, ["v2/clip.json"]) if (export_dir / "v2/clip.json").exists() else None
    before = (export_dir / SD_FILES[1]).read_bytes()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        edit(IMAGE, {"stable_diffusion_2.1": {"description": "Changed on purpose."}})

    assert len(callbacks) == 1
    after = (export_dir / SD_FILES[1]).read_bytes()
    assert after != before
    assert '"description": "Changed on purpose."' in after.decode()
    assert ExportRun.objects.first().result == "written"
    assert clip_before is None and not (export_dir / "v2/clip.json").exists()  # other categories untouched


def test_an_import_with_no_change_queues_no_export(imported_image, edit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        edit(IMAGE)
    assert callbacks == []
    assert ExportRun.objects.count() == 0


def test_the_nightly_check_rewrites_only_a_file_that_differs_on_disk(imported_image, export_dir):
    export_all.delay().get()
    tampered = export_dir / "legacy/image/clip.json"
    good = tampered.read_bytes()
    tampered.write_bytes(b"{}")
    untouched = mtimes(export_dir, SD_FILES)

    results = export_all.delay().get()

    assert tampered.read_bytes() == good
    assert mtimes(export_dir, SD_FILES) == untouched
    assert results["clip"] == "written"
    assert results["image_generation"] == "unchanged"
    assert len(results) == 15
    assert (export_dir / "v2/video_generation.json").read_text() == "{}\n"


def test_a_failed_write_keeps_the_previous_file_and_is_recorded(
    imported_image, export_dir, edit, monkeypatch
):
    category_export(category=IMAGE)
    previous = (export_dir / SD_FILES[1]).read_bytes()
    edit(IMAGE, {"stable_diffusion_2.1": {"description": "Changed on purpose."}})

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="No space left"):
        category_export(category=IMAGE)
    monkeypatch.undo()

    assert (export_dir / SD_FILES[1]).read_bytes() == previous
    assert sorted(p.name for p in (export_dir / "legacy/image").iterdir()) == ["stable_diffusion.json"]
    run = ExportRun.objects.first()
    assert (run.result, run.files_written) == ("failed", 0)
    assert run.error == "OSError: [Errno 28] No space left on device"
    assert category_export(category=IMAGE).written == SD_FILES  # the next run catches up


def test_a_failing_export_after_commit_does_not_fail_the_import(
    imported_image, export_dir, edit, django_capture_on_commit_callbacks, caplog
):
    export_dir.write_text("a file where the export directory should be")
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        report = edit(IMAGE, {"stable_diffusion_2.1": {"description": "Changed on purpose."}})
    assert report.changed == 1
    assert "Could not export image_generation after a change" in caplog.text
    assert ExportRun.objects.get().result == "failed"


def test_the_export_command_reports_each_category(imported_image, export_dir):
    out = StringIO()
    call_command("export_categories", "--category", "clip", "--category", "blip", stdout=out)
    assert out.getvalue().splitlines() == [
        "clip                   written    v2/clip.json, legacy/image/clip.json",
        "blip                   written    v2/blip.json, legacy/image/blip.json",
    ]
    shutil.rmtree(export_dir / "v2")
    (export_dir / "v2").write_text("not a directory")
    with pytest.raises(CommandError, match="Export failed for: clip"):
        call_command("export_categories", "--category", "clip", stdout=StringIO())

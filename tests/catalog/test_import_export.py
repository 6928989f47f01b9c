"""import_references / export_references on PostgreSQL with the real legacy data."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.audit.models import AuditEvent
from apps.catalog.formats import v2
from apps.catalog.models import CategoryMetadata, DownloadFile, ModelRecord, RecordTag

pytestmark = pytest.mark.django_db

EXPECTED_COUNTS = {
    "image_generation": 161,
    "controlnet": 18,
    "clip": 2,
    "blip": 2,
    "esrgan": 6,
    "gfpgan": 1,
    "codeformer": 1,
    "safety_checker": 1,
    "miscellaneous": 2,
    "text_generation": 719,
}
IMAGE_FILES = [
    "blip.json",
    "clip.json",
    "codeformer.json",
    "controlnet.json",
    "esrgan.json",
    "gfpgan.json",
    "lora.json",
    "miscellaneous.json",
    "safety_checker.json",
    "stable_diffusion.json",
]


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def snapshot():
    """Everything an import could write, to prove a refused import wrote nothing."""
    return (
        list(ModelRecord.objects.order_by("id").values_list("category", "name", "version", "data")),
        AuditEvent.objects.count(),
        list(CategoryMetadata.objects.order_by("category").values_list("category", "revision")),
    )


def test_import_gives_the_expected_records_per_category(legacy_dir):
    output = run("import_references", "--legacy", str(legacy_dir))
    counts = {c: ModelRecord.objects.filter(category=c).count() for c in EXPECTED_COUNTS}
    assert counts == EXPECTED_COUNTS
    assert "total                     913        0          0        0      0" in output
    assert f"Imported from {legacy_dir}: 913 record(s) changed, 0 moved." in output
    assert output.count("the later row's values win (every row is kept in models.csv)") == 4


def test_import_writes_typed_columns_tags_downloads_audit_and_metadata(imported):
    record = ModelRecord.objects.get(category="image_generation", name="AlbedoBase XL (SDXL)")
    assert (record.baseline, record.nsfw, record.style, record.version, record.position) == (
        "stable_diffusion_xl",
        False,
        "generalist",
        1,
        record.position,
    )
    assert record.size_on_disk_bytes == 6776583201
    download = DownloadFile.objects.get(record=record)
    assert (download.host, download.file_name) == ("huggingface.co", "albedo_base_xl.safetensors")
    text = ModelRecord.objects.get(category="text_generation", name="anthracite-org/magnum-12b-v2")
    assert (text.parameters_count, text.text_model_group, text.display_name) == (
        12_000_000_000,
        "magnum",
        "Magnum 12B V2",
    )
    assert list(RecordTag.objects.filter(record=text).values_list("tag", flat=True)) == ["story"]
    events = AuditEvent.objects.filter(origin="import")
    assert events.count() == 913
    event = events.get(category="text_generation", model_name="anthracite-org/magnum-12b-v2")
    assert (event.operation, event.actor_name, event.payload["after"]) == ("create", "test import", text.data)
    meta = CategoryMetadata.objects.get(category="image_generation")
    assert (meta.total_models, meta.total_creates, meta.revision, meta.last_operation_type) == (
        161,
        161,
        1,
        "create",
    )


def test_legacy_export_is_byte_identical_to_the_imported_files(imported, legacy_dir, tmp_path):
    run("export_references", "--format", "legacy", "--out", str(tmp_path))
    for name in IMAGE_FILES:
        assert (tmp_path / "image" / name).read_bytes() == (legacy_dir / "image" / name).read_bytes(), name
    for name in ("models.csv", "db.json"):  # models.csv with its 4 repeated names, each row as written
        assert (tmp_path / "text" / name).read_bytes() == (legacy_dir / "text" / name).read_bytes(), name


def test_a_repeated_name_is_one_record_with_the_later_rows_values(imported, legacy_dir):
    rows = (legacy_dir / "text/models.csv").read_bytes().decode().split("\r\n")[1:-1]
    names = [row.split(",", 1)[0] for row in rows]
    repeated = sorted({n for n in names if names.count(n) > 1})
    assert len(repeated) == 4
    records = ModelRecord.objects.filter(category="text_generation")
    assert records.count() == len(set(names))
    for name in repeated:
        later = rows[len(names) - 1 - names[::-1].index(name)]
        record = records.get(name=name)
        assert record.position == list(dict.fromkeys(names)).index(name)  # the first row's place
        assert record.data["url"] == later.split(",")[3]  # the later row's values


def test_a_second_import_changes_nothing_and_says_so(imported, legacy_dir):
    before = snapshot()
    output = run("import_references", "--legacy", str(legacy_dir))
    assert f"No changes: the catalog already matches {legacy_dir}." in output
    assert "total                       0        0        913        0      0" in output
    assert snapshot() == before


def test_v2_export_reimported_into_an_empty_catalog_exports_identical_bytes(imported, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    run("export_references", "--format", "v2", "--out", str(first))
    ModelRecord.objects.all().delete()
    run("import_references", "--v2", str(first))
    assert ModelRecord.objects.count() == 913
    run("export_references", "--format", "v2", "--out", str(second))
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir()) and len(names) == 15
    for name in names:
        assert (second / name).read_bytes() == (first / name).read_bytes(), name


def test_v2_export_carries_only_upstreams_v2_fields(imported, tmp_path):
    run("export_references", "--format", "v2", "--out", str(tmp_path))
    allowed_download = {f.name for f in v2.DOWNLOAD_FIELDS}
    for path in tmp_path.iterdir():
        category = v2.Category(path.stem) if path.stem != "stable_diffusion" else v2.Category.IMAGE_GENERATION
        allowed = set(v2.field_names(category))
        for key, record in json.loads(path.read_text()).items():
            assert key == record["name"]
            assert set(record) <= allowed, (path.name, key, set(record) - allowed)
            assert record["record_type"] == category.value
            assert set(record["metadata"]) <= set(v2.METADATA_FIELDS)
            assert set(record["config"]) <= {"download", "embedded_component_hashes"}
            for download in record["config"]["download"]:
                assert set(download) <= allowed_download
            assert v2.validate_record(category, record)  # a strict reader accepts it


def test_v2_record_of_a_text_model_matches_upstreams_shape(imported, tmp_path):
    run("export_references", "--format", "v2", "--out", str(tmp_path))
    record = json.loads((tmp_path / "text_generation.json").read_text())["anthracite-org/magnum-12b-v2"]
    created = int(
        imported and ModelRecord.objects.get(name="anthracite-org/magnum-12b-v2").created_at.timestamp()
    )
    assert list(record) == [
        "record_type",
        "name",
        "description",
        "version",
        "metadata",
        "config",
        "model_classification",
        "baseline",
        "parameters",
        "nsfw",
        "style",
        "display_name",
        "url",
        "tags",
        "instruct_format",
        "settings",
        "text_model_group",
    ]
    assert record["metadata"] == {"schema_version": "2.0.0", "created_at": created, "updated_at": created}
    assert (record["parameters"], record["settings"], record["tags"]) == (
        12_000_000_000,
        {"temperature": 0.75, "min_p": 0.1},
        ["story"],
    )


def test_a_v2_import_keeps_the_legacy_residue_of_existing_records(imported, tmp_path):
    run("export_references", "--format", "v2", "--out", str(tmp_path / "v2"))
    path = tmp_path / "v2" / "stable_diffusion.json"
    document = json.loads(path.read_text())
    document["stable_diffusion_2.1"]["description"] = "Edited in v2."
    path.write_text(json.dumps(document))
    output = run("import_references", "--v2", str(tmp_path / "v2"))
    assert "image_generation            0        1        160        0      0" in output
    run("export_references", "--format", "legacy", "--out", str(tmp_path / "legacy"))
    exported = json.loads((tmp_path / "legacy/image/stable_diffusion.json").read_text())[
        "stable_diffusion_2.1"
    ]
    assert exported["description"] == "Edited in v2."
    assert exported["config"]["files"][1] == {"path": "v2-inference-v.yaml"}  # legacy-only entry survived
    assert exported["download_all"] is True


def test_records_missing_from_the_source_are_deleted(imported, legacy_copy):
    path = legacy_copy / "image" / "esrgan.json"
    document = json.loads(path.read_text())
    del document["NMKD_Siax"]
    path.write_text(json.dumps(document, indent="\t") + "\n")
    output = run("import_references", "--legacy", str(legacy_copy))
    # The two records after it move up one place: same content, so no new version.
    assert "esrgan                      0        0          5        1      2" in output
    assert list(ModelRecord.objects.filter(category="esrgan").values_list("version", flat=True)) == [1] * 5
    assert not ModelRecord.objects.filter(category="esrgan", name="NMKD_Siax").exists()
    event = AuditEvent.objects.get(operation="delete", model_name="NMKD_Siax")
    assert event.payload["before"]["name"] == "NMKD_Siax"


def test_an_edited_record_is_updated_and_its_version_bumped(imported, legacy_copy):
    path = legacy_copy / "image" / "gfpgan.json"
    path.write_text(path.read_text().replace('"version": "1.4"', '"version": "1.5"'))
    run("import_references", "--legacy", str(legacy_copy))
    record = ModelRecord.objects.get(category="gfpgan", name="GFPGAN")
    assert (record.version, record.model_version) == (2, "1.5")
    event = AuditEvent.objects.get(operation="update", model_name="GFPGAN")
    assert event.payload["delta"] == {"version": {"old": "1.4", "new": "1.5"}}


def test_dry_run_reports_and_writes_nothing(db, legacy_dir):
    output = run("import_references", "--legacy", str(legacy_dir), "--dry-run")
    assert "Dry run from" in output and "913 change(s) found, nothing written." in output
    assert (ModelRecord.objects.count(), AuditEvent.objects.count()) == (0, 0)


BAD_INPUTS = [
    (
        "image/stable_diffusion.json",
        lambda t: t[:-20],
        "image/stable_diffusion.json: invalid JSON at line 5787 column 30: Expecting value",
    ),
    (
        "image/blip.json",
        lambda t: t.replace('"name": "BLIP_Large",', ""),
        "image/blip.json, record 'BLIP_Large', field 'name': the record has no name",
    ),
    (
        "image/stable_diffusion.json",
        lambda t: t.replace('"baseline": "stable diffusion 2",', "", 1),
        "image/stable_diffusion.json, record 'stable_diffusion_2.1', field 'baseline': an image generation record "
        "needs a baseline",
    ),
    ("image/upscalers.json", lambda t: "{}\n", "image/upscalers.json: not a known category file"),
    (
        "text/models.csv",
        lambda t: t.replace("acrastt/Marx-3B-V3,3,", "acrastt/Marx-3B-V3,three,"),
        "text/models.csv: line 2, model 'acrastt/Marx-3B-V3', column 'parameters_bn': 'three' is not a number of "
        "billions of parameters",
    ),
    (
        "image/controlnet.json",
        lambda t: t.replace('"name": "control_canny_sd2"', '"name": "control_depth_sd2"'),
        "image/controlnet.json, record 'control_depth_sd2', field 'name': name 'control_depth_sd2' is also used by "
        "record 'control_canny_sd2'",
    ),
]


@pytest.mark.parametrize(
    ("relative", "edit", "message"), BAD_INPUTS, ids=[b[0] + str(i) for i, b in enumerate(BAD_INPUTS)]
)
def test_bad_input_stops_with_file_record_and_field_and_writes_nothing(
    imported, legacy_copy, relative, edit, message
):
    path = legacy_copy / relative
    text = path.read_bytes().decode() if path.exists() else ""
    path.write_bytes(edit(text).encode())
    before = snapshot()
    with pytest.raises(CommandError) as caught:
        run("import_references", "--legacy", str(legacy_copy))
    assert str(caught.value) == f"Nothing imported. {message}"
    assert snapshot() == before


def test_a_missing_directory_is_reported(db, tmp_path):
    with pytest.raises(CommandError, match=f"Nothing imported. {tmp_path / 'nope'} is not a directory"):
        run("import_references", "--legacy", str(tmp_path / "nope"))

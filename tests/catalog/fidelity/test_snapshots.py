"""The earlier real states in ../shared/data/legacy-history/ import and come back byte for byte.

Each snapshot is read in place (never copied into the repository): imported into an empty
catalog it exports every file it has byte-identical, db.json included where its models.csv
generates it; where it does not, the import's report names the differing entries. A snapshot,
then today's data, then the snapshot again gives the snapshot's bytes, and its v2 export is what
a strict v2 reader accepts.
"""

import csv
import io
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from apps.catalog.categories import IGNORED_IMAGE_FILES, Repo, legacy_categories
from apps.catalog.formats import v2
from apps.catalog.models import ModelRecord

pytestmark = pytest.mark.django_db

SNAPSHOTS = ["2024-spring", "2025-autumn"]


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def state_files(root: Path) -> dict[str, bytes]:
    """The files of a legacy state that HMR imports and exports, by path."""
    files = {
        f"image/{p.name}": p.read_bytes()
        for p in sorted((root / "image").glob("*.json"))
        if p.name not in IGNORED_IMAGE_FILES
    }
    for name in ("models.csv", "db.json"):
        files[f"text/{name}"] = (root / "text" / name).read_bytes()
    return files


def exported(out: Path) -> dict[str, bytes]:
    run("export_references", "--format", "legacy", "--out", str(out))
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def mis_encoded_entries(root: Path) -> list[str]:
    """The db.json entries whose description is not the models.csv row's: read from the files."""
    committed = json.loads((root / "text/db.json").read_bytes())
    rows = csv.DictReader(io.StringIO((root / "text/models.csv").read_bytes().decode(), newline=""))
    keys = []
    for row in rows:
        name = row["name"]
        for key in (name, f"aphrodite/{name}", f"koboldcpp/{name.split('/')[1] if '/' in name else name}"):
            if committed[key]["description"] != row["description"] and key not in keys:
                keys.append(key)
    return keys


def test_the_history_holds_the_snapshots_these_tests_name(legacy_history_dir):
    assert sorted(p.name for p in legacy_history_dir.iterdir() if p.is_dir()) == SNAPSHOTS


@pytest.mark.parametrize("snapshot", SNAPSHOTS)
def test_a_snapshot_imports_into_an_empty_catalog_and_exports_byte_identical(
    snapshot, legacy_history_dir, tmp_path
):
    root = legacy_history_dir / snapshot
    source = state_files(root)
    output = run("import_references", "--legacy", str(root))
    files = exported(tmp_path / "out")
    mis_encoded = mis_encoded_entries(root)
    for path, content in source.items():
        if path == "text/db.json" and mis_encoded:
            continue
        assert files[path] == content, path
    # Categories the state has no file for are empty, and their files are the empty document.
    absent = {f"image/{i.legacy_file}" for i in legacy_categories(Repo.IMAGE)} - set(source)
    assert set(files) == set(source) | absent
    assert all(files[path] == b"{}\n" for path in absent)
    for path in absent:
        assert (
            f"warning: {path} is not in this source: {Path(path).stem} is left as it is (0 record(s))"
            in output
        )
    if mis_encoded:
        assert files["text/db.json"] != source["text/db.json"]
        report = [
            line.removeprefix("  ")
            for line in output.splitlines()
            if line.endswith("different bytes (description)")
        ]
        assert report == [f"{key}: different bytes (description)" for key in mis_encoded]
        assert (
            f"warning: text/db.json differs from what models.csv generates in {len(mis_encoded)} entries "
            f"({len(mis_encoded)} different); HMR serves and exports the db.json that models.csv generates:"
        ) in output


def test_the_autumn_snapshot_names_its_three_mis_encoded_entries(legacy_history_dir):
    # The committed db.json of 2025-10-10 was written with cp1252: one row, its three entries.
    assert mis_encoded_entries(legacy_history_dir / "2025-autumn") == [
        "LatitudeGames/Muse-12B",
        "aphrodite/LatitudeGames/Muse-12B",
        "koboldcpp/Muse-12B",
    ]
    assert mis_encoded_entries(legacy_history_dir / "2024-spring") == []


@pytest.mark.parametrize("snapshot", SNAPSHOTS)
def test_snapshot_then_today_then_snapshot_gives_the_snapshots_bytes(
    snapshot, legacy_history_dir, legacy_dir, tmp_path
):
    root = legacy_history_dir / snapshot
    run("import_references", "--legacy", str(root))
    first = exported(tmp_path / "first")
    run("import_references", "--legacy", str(legacy_dir))
    assert exported(tmp_path / "today") == state_files(legacy_dir)
    output = run("import_references", "--legacy", str(root))
    again = exported(tmp_path / "again")
    for path in state_files(root):
        assert again[path] == first[path], path
    # A category the snapshot lacks keeps today's records (the import leaves it as it is).
    for path in set(first) - set(state_files(root)):
        assert again[path] == state_files(legacy_dir)[path]
        category = Path(path).stem
        count = ModelRecord.objects.filter(category=category).count()
        assert f"{path} is not in this source: {category} is left as it is ({count} record(s))" in output


@pytest.mark.parametrize("snapshot", SNAPSHOTS)
def test_the_v2_export_of_a_snapshot_is_what_a_strict_v2_reader_accepts(
    snapshot, legacy_history_dir, tmp_path
):
    run("import_references", "--legacy", str(legacy_history_dir / snapshot))
    run("export_references", "--format", "v2", "--out", str(tmp_path))
    download_fields = {f.name for f in v2.DOWNLOAD_FIELDS}
    checked = 0
    for path in tmp_path.iterdir():
        category = v2.Category.IMAGE_GENERATION if path.stem == "stable_diffusion" else v2.Category(path.stem)
        allowed = set(v2.field_names(category))
        for key, record in json.loads(path.read_text()).items():
            assert set(record) <= allowed, (path.name, key, set(record) - allowed)
            assert set(record["metadata"]) <= set(v2.METADATA_FIELDS)
            assert set(record["config"]) <= {"download", "embedded_component_hashes"}
            for download in record["config"]["download"]:
                assert set(download) <= download_fields
            v2.validate_record(category, record)
            checked += 1
    assert checked == ModelRecord.objects.count()


def test_v1_serves_the_spring_snapshots_list_of_lora_ids_and_v2_no_lora(legacy_history_dir, client):
    root = legacy_history_dir / "2024-spring"
    run("import_references", "--legacy", str(root))
    response = client.get("/api/model_references/v1/lora")
    assert (response.status_code, response.content) == (200, (root / "image/lora.json").read_bytes())
    assert json.loads(response.content) and isinstance(json.loads(response.content), list)
    assert (
        client.get("/api/model_references/v2/lora").status_code == 404
    )  # as always: lora is not served in v2
    # The 2024 CLIP records of the Hugging Face cache layout are records, without v2 downloads.
    clip = client.get("/api/model_references/v2/clip").json()
    legacy_clip = json.loads((root / "image/clip.json").read_bytes())
    assert set(clip) == {record["name"] for record in legacy_clip.values()}


def test_v1_serves_the_regenerated_db_json_of_the_autumn_snapshot(legacy_history_dir, client, tmp_path):
    root = legacy_history_dir / "2025-autumn"
    run("import_references", "--legacy", str(root))
    body = client.get("/api/model_references/v1/text_generation").content
    assert body == exported(tmp_path / "out")["text/db.json"]
    assert body != (root / "text/db.json").read_bytes()
    rows = csv.DictReader(io.StringIO((root / "text/models.csv").read_bytes().decode(), newline=""))
    description = next(row["description"] for row in rows if row["name"] == "LatitudeGames/Muse-12B")
    assert json.loads(body)["LatitudeGames/Muse-12B"]["description"] == description


def test_strict_refuses_the_autumn_snapshot_and_writes_nothing(legacy_history_dir):
    with pytest.raises(CommandError) as caught:
        run("import_references", "--legacy", str(legacy_history_dir / "2025-autumn"), "--strict")
    assert str(caught.value).startswith(
        "Nothing imported. text/db.json: text/db.json differs from what models.csv generates in 3 entries"
    )
    assert ModelRecord.objects.count() == 0

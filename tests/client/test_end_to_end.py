"""hmr_client against a live server on the real data: loads, refreshes, the queue, outages, the disk
cache, strict mode, the pending channel and metadata."""

from __future__ import annotations

import json
import os
import time

import httpx
import pytest
from hmr_client import Category, ModelReferenceManager, ReferenceUnavailable, StrictModeError
from hmr_client.categories import SERVED

from apps.catalog.models import CategoryMetadata
from tests.client.conftest import API
from tests.fake_horde import READER, REQUESTOR

TEXT_NAME = "anthracite-org/magnum-12b-v2"  # a name with "/"
IMAGE_NAME = "AlbedoBase XL (SDXL)"


def document_requests(live, category=None):
    paths = {f"{API}/{c.value}" for c in SERVED} if category is None else {f"{API}/{category}"}
    return [s for s in live.log.seen if s.path in paths]


def test_every_category_loads_with_the_record_counts_of_the_import(live_hmr, manager_for, imported_live):
    imported = {r.category: r.created for r in imported_live.categories}
    manager = manager_for()
    references = manager.get_all_model_references()
    # One GET per served category; none for lora and ti (managed elsewhere).
    asked = sorted(s.path for s in document_requests(live_hmr))
    assert asked == sorted(f"{API}/{c.value}" for c in SERVED)
    assert set(references) == set(SERVED)
    assert {c.value: len(r) for c, r in references.items() if len(r)} == {
        c: n for c, n in imported.items() if n
    }
    assert sum(len(r) for r in references.values()) == sum(imported.values()) == 913
    for category in SERVED:
        served = live_hmr.document(category.value)
        assert list(references[category]) == list(served)  # every name, in the server's order
        assert manager.get_model_names(category) == list(served)
    assert manager.get_model_reference_or_none("lora") is None


def test_records_are_typed_with_the_served_values_and_names_with_a_slash_work(live_hmr, manager_for):
    manager = manager_for()
    text = live_hmr.document("text_generation")
    image = live_hmr.document("image_generation")
    record = manager.get_model("text_generation", TEXT_NAME)
    assert (record.name, record.parameters_count, record.baseline, record.tags, record.settings) == (
        TEXT_NAME,
        text[TEXT_NAME]["parameters"],
        text[TEXT_NAME]["baseline"],
        text[TEXT_NAME]["tags"],
        text[TEXT_NAME].get("settings"),
    )
    assert manager.get_raw_model_json("text_generation", TEXT_NAME) == text[TEXT_NAME]
    assert manager.text_generation_models[TEXT_NAME] is record
    sdxl = manager.get_model("image_generation", IMAGE_NAME)
    served = image[IMAGE_NAME]
    assert (sdxl.baseline, sdxl.nsfw, sdxl.size_on_disk_bytes) == (
        served["baseline"],
        served["nsfw"],
        served["size_on_disk_bytes"],
    )
    assert [(d.file_name, d.file_url, d.sha256sum) for d in sdxl.config.download] == [
        (d["file_name"], d["file_url"], d["sha256sum"]) for d in served["config"]["download"]
    ]
    # Every record the server serves dumps back to what it served (no field lost or renamed).
    for category in (Category.TEXT_GENERATION, Category.IMAGE_GENERATION, Category.CONTROLNET):
        served = live_hmr.document(category.value)
        typed = manager.get_model_reference(category)
        assert {
            n: r.model_dump(mode="json", by_alias=True, exclude_unset=True) for n, r in typed.items()
        } == served


def test_strict_mode_accepts_the_real_data_and_refuses_a_document_with_an_unknown_key(live_hmr, manager_for):
    strict = manager_for(strict=True)
    assert sum(len(r) for r in strict.get_all_model_references().values()) == 913
    ModelReferenceManager.reset()

    def newer_server(document):  # a server that added a field to every download entry
        for record in document.values():
            for download in record["config"]["download"]:
                download["mirror_url"] = download["file_url"].replace("huggingface.co", "mirror.example")
        return document

    live_hmr.log.rewrite[f"{API}/controlnet"] = newer_server
    tolerant = manager_for()
    first = next(iter(tolerant.get_model_reference("controlnet").values()))
    assert first.config.download[0].model_extra == {
        "mirror_url": first.config.download[0].file_url.replace("huggingface.co", "mirror.example")
    }
    ModelReferenceManager.reset()
    strict = manager_for(strict=True, cache_dir=None)
    with pytest.raises(StrictModeError) as refused:
        strict.get_model_reference("controlnet")
    assert refused.value.problems == ["unknown key 'config.download[0].mirror_url'"]
    assert refused.value.category == "controlnet" and refused.value.name == first.name


def test_a_forced_refresh_when_nothing_changed_is_answered_304_and_reparses_nothing(live_hmr, manager_for):
    manager = manager_for()
    before = manager.get_all_model_references()
    first = {s.path: s for s in document_requests(live_hmr)}
    assert {s.status for s in first.values()} == {200} and {s.if_none_match for s in first.values()} == {None}
    live_hmr.log.seen.clear()
    again = manager.get_all_model_references(overwrite_existing=True)
    refreshed = document_requests(live_hmr)
    assert len(refreshed) == len(SERVED)
    assert {s.status for s in refreshed} == {304}
    assert all(s.if_none_match == manager.cache_status(s.path.rsplit("/", 1)[1]).etag for s in refreshed)
    for category in SERVED:  # the same record objects: nothing was parsed or validated again
        assert all(again[category][name] is record for name, record in before[category].items())
    # Within the TTL a read asks nothing at all.
    live_hmr.log.seen.clear()
    manager.get_all_model_references()
    assert document_requests(live_hmr) == []


def test_a_change_through_the_queue_shows_after_invalidate_or_the_ttl(live_hmr, manager_for):
    manager = manager_for(ttl={"text_generation": 3600, "image_generation": 0.3})
    old_text = manager.get_model("text_generation", TEXT_NAME).description
    manager.get_model("image_generation", IMAGE_NAME)
    image_etag = manager.cache_status("image_generation").etag
    live_hmr.queue_update("text_generation", TEXT_NAME, description="Changed through the queue.")
    live_hmr.queue_update("image_generation", IMAGE_NAME, description="Also changed.")
    live_hmr.log.seen.clear()
    # text_generation: within its TTL the cached record answers, without a request...
    assert manager.get_model("text_generation", TEXT_NAME).description == old_text
    assert document_requests(live_hmr) == []
    # ...and invalidate_category_cache makes the next read ask (a 200: it changed).
    manager.invalidate_category_cache("text_generation")
    assert manager.get_model("text_generation", TEXT_NAME).description == "Changed through the queue."
    assert (
        manager.get_raw_model_json("text_generation", TEXT_NAME)["description"]
        == "Changed through the queue."
    )
    assert [s.status for s in document_requests(live_hmr, "text_generation")] == [200]
    # image_generation: once its TTL has passed, the next read revalidates its copy and gets the change.
    time.sleep(0.35)
    assert manager.get_model("image_generation", IMAGE_NAME).description == "Also changed."
    asked = document_requests(live_hmr, "image_generation")
    assert [(s.if_none_match, s.status) for s in asked] == [(image_etag, 200)]


def test_with_the_server_stopped_the_disk_cache_answers_and_says_it_is_stale(live_hmr, manager_for, tmp_path):
    cache_dir = tmp_path / "cache"
    first = manager_for(cache_dir=cache_dir)
    expected = {c: first.get_raw_model_reference_json(c) for c in SERVED}
    expected_record = first.get_model("text_generation", TEXT_NAME)
    ModelReferenceManager.reset()
    live_hmr.stop()
    # The copies were last confirmed two minutes ago.
    confirmed = time.time() - 120
    for path in first.cache_dir.iterdir():
        os.utime(path, (confirmed, confirmed))
    restarted = manager_for(cache_dir=cache_dir)
    references = restarted.get_all_model_references()
    assert {c: restarted.get_raw_model_reference_json(c) for c in SERVED} == expected
    assert references[Category.TEXT_GENERATION][TEXT_NAME] == expected_record
    for category in SERVED:
        status = restarted.cache_status(category)
        assert (status.source, status.stale, status.records) == ("disk", True, len(expected[category]))
        assert 120 <= status.age_seconds < 180
        assert "ConnectError" in status.error
    assert restarted.is_stale("image_generation")
    # A manager with no disk copy has nothing to answer with.
    ModelReferenceManager.reset()
    empty = manager_for(cache_dir=tmp_path / "empty")
    with pytest.raises(ReferenceUnavailable) as unavailable:
        empty.get_model_reference("image_generation")
    assert "image_generation" in str(unavailable.value) and "no cached copy" in str(unavailable.value)
    assert empty.get_model_reference_or_none("image_generation") is None


def test_the_server_stopped_mid_life_leaves_the_held_copy_serving_stale(live_hmr, manager_for):
    manager = manager_for(ttl=0.2)
    held = manager.get_model_reference("image_generation")
    live_hmr.stop()
    time.sleep(0.25)
    assert manager.get_model_reference("image_generation") == held
    status = manager.cache_status("image_generation")
    assert status.stale and status.source == "server" and status.age_seconds < 60


def test_a_corrupt_cache_file_is_ignored_and_refetched_cleanly(live_hmr, manager_for, tmp_path):
    cache_dir = tmp_path / "cache"
    first = manager_for(cache_dir=cache_dir)
    first.get_model_reference("image_generation")
    path = first.cache_dir / "image_generation.json"
    ModelReferenceManager.reset()
    path.write_bytes(path.read_bytes()[:5000])  # torn: a crash mid-write, or a disk error
    live_hmr.log.seen.clear()
    manager = manager_for(cache_dir=cache_dir)
    assert list(manager.get_model_reference("image_generation")) == list(
        live_hmr.document("image_generation")
    )
    asked = document_requests(live_hmr, "image_generation")
    assert [(s.if_none_match, s.status) for s in asked[:1]] == [(None, 200)]  # no validator: a clean fetch
    header, body = path.read_bytes().split(b"\n", 1)
    assert json.loads(body) == live_hmr.document("image_generation")
    assert json.loads(header)["etag"] == manager.cache_status("image_generation").etag


def test_the_pending_channel_reads_proposals_with_the_api_key(live_hmr, manager_for):
    proposed = {**live_hmr.document("text_generation")[TEXT_NAME], "description": "Proposed, not applied."}
    for key in ("record_type", "metadata", "model_classification"):
        proposed.pop(key)
    answer = httpx.put(
        f"{live_hmr.url}/model_references/v2/text_generation/model/{TEXT_NAME}",
        json=proposed,
        headers={"apikey": REQUESTOR.apikey},
    )
    assert answer.status_code == 202, answer.text
    live_hmr.log.seen.clear()
    manager = manager_for(apikey=READER.apikey)
    pending = manager.get_pending_model_reference("text_generation")
    assert list(pending) == [TEXT_NAME]
    assert pending[TEXT_NAME].description == "Proposed, not applied."
    assert manager.get_model("text_generation", TEXT_NAME).description != "Proposed, not applied."
    # The key goes to the pending channel only; public reads stay anonymous (the server's fast path).
    asked = [(s.path, s.apikey) for s in live_hmr.log.requests()]
    assert asked == [(f"{API}/text_generation/pending", READER.apikey), (f"{API}/text_generation", None)]


def test_metadata_and_last_updated_are_the_servers(live_hmr, manager_for):
    manager = manager_for()
    row = CategoryMetadata.objects.get(category="image_generation")
    before = manager.get_metadata("image_generation")
    assert (before.category, before.total_creates, before.last_updated) == (
        "image_generation",
        row.total_creates,
        int(row.last_updated.timestamp()),
    )
    live_hmr.queue_update("image_generation", IMAGE_NAME, description="Metadata moves.")
    after = manager.get_metadata("image_generation")
    assert (after.total_updates, after.last_operation_type, after.last_operation_model) == (
        before.total_updates + 1,
        "update",
        IMAGE_NAME,
    )
    assert manager.last_updated("image_generation") == after.last_updated

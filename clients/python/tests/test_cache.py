"""The cache: conditional GETs and 304s, the TTL, invalidation, the disk copy (atomic, with its
ETag, corrupt files ignored), serving stale copies with their age, threads, sync and async."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time

import pytest
from fake_hmr import API
from hmr_client import ModelReferenceManager, ReferenceUnavailable


def statuses(fake, category=None):
    return [
        (s.if_none_match, s.status)
        for s in fake.documents_asked()
        if category is None or s.path == f"{API}/{category}"
    ]


def test_a_forced_refresh_is_a_conditional_get_and_a_304_reparses_nothing(fake, manager_for):
    manager = manager_for()
    records = manager.get_model_reference("image_generation")
    raw = manager.get_raw_model_reference_json("image_generation")
    etag = manager.cache_status("image_generation").etag
    assert etag == fake.etag_of("image_generation")[:-1] + '-gzip"'  # gzip was asked for and used
    fake.clear()
    again = manager.get_model_reference("image_generation", overwrite_existing=True)
    assert statuses(fake) == [(etag, 304)]
    assert manager.get_raw_model_reference_json("image_generation") is raw  # not parsed again
    assert all(again[name] is record for name, record in records.items())  # not validated again


def test_within_the_ttl_nothing_is_asked_and_after_it_the_copy_is_revalidated(fake, manager_for):
    manager = manager_for(ttl={"controlnet": 0.3})  # other categories: the default 60 s
    manager.get_model_reference("controlnet")
    manager.get_model_reference("esrgan")
    fake.clear()
    manager.get_model_reference("esrgan")
    assert fake.documents_asked() == []
    time.sleep(0.35)
    fake.change("controlnet", "control_depth", description="changed on the server")
    assert manager.get_model("controlnet", "control_depth").description == "changed on the server"
    manager.get_model_reference("esrgan")
    assert [(s.path, s.status) for s in fake.documents_asked()] == [(f"{API}/controlnet", 200)]


def test_invalidate_drops_one_category_and_the_next_read_asks(fake, manager_for):
    manager = manager_for()
    manager.get_all_model_references()
    fake.change("image_generation", "Deliberate", description="new text")
    fake.clear()
    assert manager.get_model("image_generation", "Deliberate").description != "new text"
    manager.invalidate_category_cache("image_generation")
    assert manager.cache_status("image_generation") is None
    assert manager.get_model("image_generation", "Deliberate").description == "new text"
    assert [(s.path, s.status) for s in fake.documents_asked()] == [(f"{API}/image_generation", 200)]
    # Invalidated with nothing changed: the disk copy's ETag gets a 304 and the copy is used.
    manager.invalidate_category_cache("esrgan")
    fake.clear()
    assert list(manager.get_model_reference("esrgan")) == ["RealESRGAN_x4plus"]
    assert [s.status for s in fake.documents_asked()] == [304]
    assert manager.cache_status("esrgan").source == "disk"


def test_the_disk_copy_is_the_served_body_with_its_etag(fake, manager_for, tmp_path):
    manager = manager_for()
    manager.get_model_reference("text_generation")
    path = manager.cache_dir / "text_generation.json"
    header_line, body = path.read_bytes().split(b"\n", 1)
    header = json.loads(header_line)
    assert json.loads(body) == fake.documents["text_generation"]
    assert header["etag"] == manager.cache_status("text_generation").etag
    assert header["url"] == f"{fake.url}/model_references/v2/text_generation"
    assert [p.name for p in manager.cache_dir.iterdir() if p.name.endswith(".tmp")] == []
    # One directory per server, so copies of two servers never mix.
    assert manager.cache_dir.parent == tmp_path / "cache"
    assert manager.cache_dir.name.startswith(f"127.0.0.1-{fake.server.server_address[1]}-api-")


def test_a_restart_revalidates_the_disk_copies_with_304s(fake, manager_for):
    first = manager_for()
    first.get_all_model_references()
    ModelReferenceManager.reset()
    fake.clear()
    restarted = manager_for()
    references = restarted.get_all_model_references()
    assert {s for s in statuses(fake)} == {(fake.etag_of(c)[:-1] + '-gzip"', 304) for c in fake.documents}
    assert {c.value: list(r) for c, r in references.items()} == {
        c: list(d) for c, d in fake.documents.items()
    }
    assert {restarted.cache_status(c).source for c in references} == {"disk"}
    assert not any(restarted.is_stale(c) for c in references)


def test_with_the_server_gone_the_disk_copies_answer_as_stale_with_their_age(fake, manager_for, caplog):
    first = manager_for()
    expected = {c: first.get_raw_model_reference_json(c) for c in fake.documents}
    ModelReferenceManager.reset()
    fake.stop()
    confirmed = time.time() - 300
    for path in first.cache_dir.iterdir():
        os.utime(path, (confirmed, confirmed))
    restarted = manager_for()
    with caplog.at_level(logging.WARNING, logger="hmr_client"):
        references = restarted.get_all_model_references()
    assert {c.value: restarted.get_raw_model_reference_json(c) for c in references} == expected
    status = restarted.cache_status("image_generation")
    assert (status.source, status.stale) == ("disk", True)
    assert 300 <= status.age_seconds < 360
    assert "ConnectError" in status.error
    assert (
        "cannot fetch image_generation" in caplog.text and "serving the disk copy confirmed 30" in caplog.text
    )


def test_a_held_copy_keeps_serving_when_the_server_fails_and_recovers_after(fake, manager_for):
    manager = manager_for(ttl=0.5)
    held = manager.get_model_reference("controlnet")
    fake.fail_status = 503
    time.sleep(0.55)
    assert manager.get_model_reference("controlnet") == held
    status = manager.cache_status("controlnet")
    assert status.stale and status.error.endswith("answered 503") and status.source == "server"
    fake.clear()
    assert manager.get_model_reference("controlnet") == held  # the failure waits a TTL before a retry
    assert fake.documents_asked() == []
    fake.fail_status = None
    time.sleep(0.55)
    manager.get_model_reference("controlnet")
    assert not manager.is_stale("controlnet")
    assert statuses(fake, "controlnet") == [(manager.cache_status("controlnet").etag, 304)]


def test_nothing_held_and_the_server_gone(fake, manager_for):
    fake.stop()
    manager = manager_for()
    with pytest.raises(ReferenceUnavailable) as unavailable:
        manager.get_all_model_references()
    assert len(unavailable.value.categories) == len(fake.documents)
    assert "image_generation: ConnectError" in str(unavailable.value)
    assert manager.get_model_reference_or_none("image_generation") is None
    assert manager.get_all_model_references_or_none()["image_generation"] is None


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # torn by a crash
        lambda data: b"not a header\n" + data.split(b"\n", 1)[1],  # edited by hand
        lambda data: data.replace(b"stable_diffusion_xl", b"stable_diffusion_XL"),  # bit rot
        lambda data: b"",
    ],
    ids=["torn", "bad header", "checksum", "empty"],
)
def test_a_corrupt_cache_file_is_ignored_and_replaced_by_a_clean_fetch(fake, manager_for, caplog, damage):
    first = manager_for()
    first.get_model_reference("image_generation")
    path = first.cache_dir / "image_generation.json"
    ModelReferenceManager.reset()
    path.write_bytes(damage(path.read_bytes()))
    fake.clear()
    manager = manager_for()
    with caplog.at_level(logging.WARNING, logger="hmr_client"):
        assert list(manager.get_model_reference("image_generation")) == list(
            fake.documents["image_generation"]
        )
    assert statuses(fake) == [(None, 200)]  # asked without a validator: the whole document
    assert "is corrupt or from elsewhere; ignoring it" in caplog.text
    assert json.loads(path.read_bytes().split(b"\n", 1)[1]) == fake.documents["image_generation"]
    # The rewritten copy serves the next restart.
    ModelReferenceManager.reset()
    fake.stop()
    assert list(manager_for().get_model_reference("image_generation")) == list(
        fake.documents["image_generation"]
    )


def test_without_a_cache_dir_nothing_is_written(fake, tmp_path):
    manager = ModelReferenceManager(fake.url, cache_dir=None)
    manager.get_all_model_references()
    assert manager.cache_dir is None
    assert list(tmp_path.iterdir()) == []


def test_many_threads_reading_at_once_cause_one_request_per_category(fake, manager_for):
    fake.delay = 0.05
    manager = manager_for()
    barrier = threading.Barrier(12)
    results, errors = [], []

    def read():
        try:
            barrier.wait()
            results.append(manager.get_all_model_references())
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=read) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(s.path for s in fake.documents_asked()) == sorted(f"{API}/{c}" for c in fake.documents)
    first = results[0]
    for other in results[1:]:  # every thread got the very same record objects
        assert all(other[c][n] is r for c in first for n, r in first[c].items())


def test_sync_and_async_reads_share_one_cache(fake, manager_for):
    manager = manager_for()
    by_async = asyncio.run(manager.get_all_model_references_async())
    assert len(fake.documents_asked()) == len(fake.documents)
    fake.clear()
    by_sync = manager.get_all_model_references()
    assert fake.documents_asked() == []
    assert all(by_sync[c][n] is r for c in by_async for n, r in by_async[c].items())

    async def refresh_and_read():
        await manager.get_model_reference_async("text_generation", overwrite_existing=True)
        return await manager.get_model_async("text_generation", "anthracite-org/magnum-12b-v2")

    record = asyncio.run(refresh_and_read())
    assert record is by_sync["text_generation"]["anthracite-org/magnum-12b-v2"]
    assert statuses(fake) == [(manager.cache_status("text_generation").etag, 304)]
    # A second event loop (asyncio.run again) works too: each loop gets its own connections.
    assert asyncio.run(manager.get_model_names_async("esrgan")) == ["RealESRGAN_x4plus"]

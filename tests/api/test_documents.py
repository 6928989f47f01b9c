"""Category documents: validators, 304, gzip, invalidation on commit, Redis outages."""

import gzip
import json
import shutil
import socket
import subprocess
import time

import pytest
from django.test import override_settings

from apps.catalog import documents
from apps.catalog.imports import import_references

pytestmark = pytest.mark.django_db
V1 = "/api/model_references/v1"
V2 = "/api/model_references/v2"
DOCUMENT_URLS = [
    f"{V1}/stable_diffusion",
    f"{V1}/text_generation",
    f"{V2}/image_generation",
    f"{V2}/text_generation",
    f"{V1}/text_generation?include_group=true",
]


@pytest.mark.parametrize("url", DOCUMENT_URLS)
def test_validators_and_a_304_with_no_body(imported, client, url):
    first = client.get(url)
    assert first.status_code == 200
    assert first["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert "Accept-Encoding" in first["Vary"]
    etag = first["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", etag)
    weak = client.get(url, HTTP_IF_NONE_MATCH=f'"other", W/{etag}')
    assert weak.status_code == 304
    since = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert (since.status_code, since.content) == (304, b"")
    stale = client.get(url, HTTP_IF_NONE_MATCH='"something-else"')
    assert (stale.status_code, stale.content) == (200, first.content)


def test_gzip_when_asked(imported, client, legacy_dir):
    plain = client.get(f"{V1}/stable_diffusion")
    zipped = client.get(f"{V1}/stable_diffusion", HTTP_ACCEPT_ENCODING="br, gzip;q=0.8")
    assert zipped["Content-Encoding"] == "gzip"
    assert (
        gzip.decompress(zipped.content)
        == plain.content
        == (legacy_dir / "image/stable_diffusion.json").read_bytes()
    )
    assert len(zipped.content) < len(plain.content) / 4
    assert zipped["ETag"] != plain["ETag"]  # another representation, another validator
    assert (
        client.get(
            f"{V1}/stable_diffusion", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=zipped["ETag"]
        ).status_code
        == 304
    )
    refused = client.get(f"{V1}/stable_diffusion", HTTP_ACCEPT_ENCODING="gzip;q=0")
    assert "Content-Encoding" not in refused and refused.content == plain.content


def test_an_import_that_changes_a_record_invalidates_on_commit(
    imported, client, legacy_copy, import_actor, django_capture_on_commit_callbacks
):
    first = client.get(f"{V1}/stable_diffusion")
    v2_first = client.get(f"{V2}/image_generation")
    path = legacy_copy / "image/stable_diffusion.json"
    path.write_bytes(path.read_bytes().replace(b"SDXL Model that doesn't require a refiner.", b"Edited."))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        import_references(actor=import_actor, legacy_dir=legacy_copy)
    assert len(callbacks) == 1
    after = client.get(f"{V1}/stable_diffusion", HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200
    assert after.content == path.read_bytes()
    assert after["ETag"] != first["ETag"]
    v2_after = client.get(f"{V2}/image_generation", HTTP_IF_NONE_MATCH=v2_first["ETag"])
    assert v2_after.status_code == 200
    assert v2_after.json()["AlbedoBase XL (SDXL)"]["description"] == "Edited."
    untouched = client.get(f"{V1}/controlnet")
    assert client.get(f"{V1}/controlnet", HTTP_IF_NONE_MATCH=untouched["ETag"]).status_code == 304


def test_another_process_sees_the_new_revision_through_redis(
    imported, client, legacy_copy, import_actor, django_capture_on_commit_callbacks
):
    before = client.get(f"{V2}/image_generation")
    path = legacy_copy / "image/stable_diffusion.json"
    path.write_bytes(path.read_bytes().replace(b'"version": "2.1"', b'"version": "2.2"', 1))
    # Another process: it holds the old document in memory and never ran this import's hook.
    stale_memory = dict(documents._memo)
    with django_capture_on_commit_callbacks(execute=True):
        import_references(actor=import_actor, legacy_dir=legacy_copy)
    documents._memo.clear()
    documents._memo.update(stale_memory)
    after = client.get(f"{V2}/image_generation")
    assert after["ETag"] != before["ETag"]
    assert json.loads(after.content) != json.loads(before.content)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def private_redis():
    """A Redis server of our own, so stopping it does not disturb anything else."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is required (it runs the suite's Redis too)")
    port = _free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.05)
    url = f"redis://127.0.0.1:{port}/0"
    options = {
        "CLIENT_CLASS": "django_redis.client.DefaultClient",
        "SOCKET_CONNECT_TIMEOUT": 0.5,
        "SOCKET_TIMEOUT": 0.5,
    }
    caches = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "OPTIONS": {**options, "IGNORE_EXCEPTIONS": True},
        },
        "documents": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url, "OPTIONS": options},
    }
    with override_settings(CACHES=caches):
        yield process
    process.kill()
    process.wait()


READ_URLS = [
    "/api/",
    "/api/heartbeat",
    "/api/replicate_mode",
    f"{V1}/info",
    f"{V1}/model_categories",
    f"{V1}/stable_diffusion",
    f"{V1}/db.json",
    f"{V1}/text_generation?include_group=true",
    f"{V1}/lora",
    f"{V2}/info",
    f"{V2}/model_categories",
    f"{V2}/image_generation",
    f"{V2}/text_generation",
    f"{V2}/text_generation/model/anthracite-org/magnum-12b-v2",
    f"{V2}/image_generation/search?nsfw=true",
    f"{V2}/search?name_contains=flux",
    f"{V2}/metadata/last_updated",
    f"{V2}/metadata/metadata",
    f"{V2}/metadata/image_generation",
    f"{V2}/metadata/image_generation/last_updated",
    "/api/openapi.json",
]


def test_with_redis_stopped_every_read_endpoint_still_answers(imported, client, private_redis):
    with_redis = {url: client.get(url) for url in READ_URLS}
    assert {url: r.status_code for url, r in with_redis.items()} == dict.fromkeys(READ_URLS, 200)
    private_redis.kill()
    private_redis.wait()
    documents.documents_forget()  # a process that starts while Redis is down
    without = {url: client.get(url) for url in READ_URLS}
    assert {url: r.status_code for url, r in without.items()} == dict.fromkeys(READ_URLS, 200)
    for url in READ_URLS:
        if "heartbeat" not in url and "openapi" not in url:
            assert without[url].content == with_redis[url].content, url


def test_with_redis_stopped_a_write_is_still_visible_at_once(
    imported, client, private_redis, legacy_copy, import_actor, django_capture_on_commit_callbacks
):
    before = client.get(f"{V1}/gfpgan")
    private_redis.kill()
    private_redis.wait()
    path = legacy_copy / "image/gfpgan.json"
    path.write_bytes(path.read_bytes().replace(b'"version": "1.4"', b'"version": "1.5"'))
    other_process_memory = dict(documents._memo)  # holds the old gfpgan document
    with django_capture_on_commit_callbacks(execute=True):
        import_references(actor=import_actor, legacy_dir=legacy_copy)
    documents._memo.update(other_process_memory)
    after = client.get(f"{V1}/gfpgan", HTTP_IF_NONE_MATCH=before["ETag"])
    assert (after.status_code, after.content) == (200, path.read_bytes())

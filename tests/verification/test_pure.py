"""The pure parts of the checks: what headers, civitai's API and record data say."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from apps.catalog.categories import Category
from apps.catalog.formats.legacy import data_from_legacy
from apps.verification.headers import (
    is_login_url,
    sha256_from_digest,
    sha256_from_etag,
    size_from_content_range,
)
from apps.verification.hosts import civitai_api_url, civitai_file_sha256
from apps.verification.limits import rate_interval
from apps.verification.targets import TargetSpec, changed_targets, record_targets

SHA = hashlib.sha256(b"x").hexdigest()
B64 = base64.b64encode(bytes.fromhex(SHA)).decode()


@pytest.mark.parametrize(
    ("etag", "sha"),
    [
        (f'"{SHA}"', SHA),
        (f'W/"{SHA.upper()}"', SHA),
        (SHA, SHA),
        ('"a9993e364706816aba3e25717850c26c9cd0d89d"', None),  # a git blob id (small files)
        ('"5d41402abc4b2a76b9719d911017c592-415"', None),  # an S3 multipart tag
        ("", None),
        (None, None),
    ],
)
def test_entity_tags(etag, sha):
    assert sha256_from_etag(etag) == sha


@pytest.mark.parametrize(
    ("digest", "repr_digest", "sha"),
    [
        (f"SHA-256={B64}", None, SHA),
        (f"md5=rL0Y20zC+Fzt72VPzMSk2A==, sha-256={B64}", None, SHA),
        (None, f"sha-256=:{B64}:", SHA),
        ("SHA-256=not-base64!", None, None),
        (f"SHA-512={B64}", None, None),
        ("SHA-256=" + base64.b64encode(b"short").decode(), None, None),
    ],
)
def test_digests(digest, repr_digest, sha):
    assert sha256_from_digest(digest, repr_digest) == sha


@pytest.mark.parametrize(
    ("value", "size"),
    [
        ("bytes 0-0/6938040682", 6938040682),
        ("bytes */1234", 1234),
        ("bytes 0-0/*", None),
        ("", None),
        (None, None),
    ],
)
def test_content_ranges(value, size):
    assert size_from_content_range(value) == size


@pytest.mark.parametrize(
    ("url", "login"),
    [
        ("https://civitai.com/login?returnUrl=%2Fmodels", True),
        ("https://example.com/auth/sign-in", True),
        ("https://example.com/sso", True),
        ("https://huggingface.co/authors/model/resolve/main/x.bin", False),
        ("https://example.com/blog/login-tips.html", False),
    ],
)
def test_login_pages(url, login):
    assert is_login_url(url) is login


@pytest.mark.parametrize(
    ("url", "api"),
    [
        (
            "https://civitai.com/api/download/models/1502081?type=Model&format=SafeTensor&size=full&fp=bf16",
            "https://civitai.com/api/v1/model-versions/1502081",
        ),
        (
            "https://civitai.com/api/download/models/2610015?fileId=2497353",
            "https://civitai.com/api/v1/model-versions/2610015",
        ),
        ("https://civitai.com/models/12345/some-model", None),
        ("https://evil.example/api/download/models/1", None),
        ("https://notcivitai.com/api/download/models/1", None),
    ],
)
def test_civitai_api_urls(url, api):
    assert civitai_api_url(url) == api


def _file(file_id, sha, *, fp="fp16", primary=False, kind="Model"):
    return {
        "id": file_id,
        "type": kind,
        "primary": primary,
        "metadata": {"format": "SafeTensor", "size": "full", "fp": fp},
        "hashes": {"SHA256": sha.upper()},
    }


def test_civitai_picks_the_file_the_url_downloads():
    a, b, c = (hashlib.sha256(n.encode()).hexdigest() for n in "abc")
    version = {"files": [_file(1, a, primary=True), _file(2, b, fp="bf16"), _file(3, c, kind="VAE")]}
    base = "https://civitai.com/api/download/models/9"
    assert civitai_file_sha256(version, f"{base}?fileId=3") == c
    assert civitai_file_sha256(version, f"{base}?type=Model&format=SafeTensor&size=full&fp=bf16") == b
    assert civitai_file_sha256(version, base) == a  # the primary file
    assert civitai_file_sha256(version, f"{base}?fileId=404") is None
    assert civitai_file_sha256({"files": "nope"}, base) is None
    assert civitai_file_sha256(None, base) is None


def test_rates():
    assert (rate_interval("2/second"), rate_interval("30/minute"), rate_interval("1/h")) == (0.5, 2.0, 3600.0)
    with pytest.raises(ValueError):
        rate_interval("fast")


def test_record_targets_from_the_real_legacy_records(legacy_dir):
    records = json.loads((legacy_dir / "image" / "stable_diffusion.json").read_text())
    one_file = data_from_legacy(Category.IMAGE_GENERATION, "stable_diffusion", records["stable_diffusion"])
    [spec] = record_targets(one_file)
    files = records["stable_diffusion"]["config"]["files"]
    assert spec == TargetSpec(
        records["stable_diffusion"]["config"]["download"][0]["file_url"],
        files[0]["sha256sum"],
        records["stable_diffusion"]["size_on_disk_bytes"],  # one file: the record's size is its size
    )
    assert spec.file_name == "model_1_5.ckpt"
    two_files = data_from_legacy(
        Category.IMAGE_GENERATION, "Stable Cascade 1.0", records["Stable Cascade 1.0"]
    )
    specs = record_targets(two_files)
    assert len(specs) == 2 and {s.expected_size for s in specs} == {None}  # a total says nothing per file
    albedo = data_from_legacy(
        Category.IMAGE_GENERATION, "AlbedoBase XL (SDXL)", records["AlbedoBase XL (SDXL)"]
    )
    assert (
        record_targets(albedo)[0].expected_sha256
        == records["AlbedoBase XL (SDXL)"]["config"]["files"][0]["sha256sum"].lower()
    )


def test_placeholders_duplicates_and_what_changed():
    data = {
        "size_on_disk_bytes": 10,
        "config": {
            "download": [
                {"file_name": "a", "file_url": " https://h/a ", "sha256sum": "FIXME"},
                {"file_name": "a again", "file_url": "https://h/a", "sha256sum": ""},
                {"file_name": "b", "file_url": "https://h/b", "sha256sum": SHA, "size_bytes": 7},
            ]
        },
    }
    specs = record_targets(data)
    assert specs == [TargetSpec("https://h/a", "", None), TargetSpec("https://h/b", SHA, 7)]
    assert changed_targets(specs, [TargetSpec("https://h/a")]) == [TargetSpec("https://h/b", SHA, 7)]
    assert changed_targets(specs, [TargetSpec("https://h/a"), TargetSpec("https://h/b", SHA, 8)]) == [
        TargetSpec("https://h/b", SHA, 7)  # the size changed: checked again
    ]
    assert record_targets(None) == [] and record_targets({"config": None}) == []

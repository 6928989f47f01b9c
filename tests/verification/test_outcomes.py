"""Acceptance 1: every outcome of a download check, against fake file hosts at the HTTP level
(tests/fake_files.py), stored as a reviewer reads it."""

from __future__ import annotations

import base64
import hashlib

import pytest
from django.conf import settings

from apps.verification.targets import TargetSpec
from tests.verification.helpers import check, stored

pytestmark = pytest.mark.django_db
SHA = hashlib.sha256(b"AlbedoBase XL").hexdigest()
SIZE = 6_938_040_682


def test_a_hugging_face_lfs_file_whose_hash_and_size_match(files):
    url = files.huggingface("Haidra-Org/models", "albedo.safetensors", size=SIZE, sha256=SHA)
    [result] = check(
        TargetSpec(url, SHA.upper(), SIZE, "albedo.safetensors")
    )  # hashes compare case-insensitively
    cdn = files.requests_to("hf.co")[0].url
    assert stored(result) == {
        "outcome": "ok",
        "reason": f"200 OK, SHA-256 matches (X-Linked-Etag), size matches ({SIZE:,} bytes)",
        "http_status": 200,
        "final_url": cdn,
        "redirects": 1,
        "remote_size": SIZE,
        "remote_sha256": SHA,
        "hash_source": "X-Linked-Etag",
        "requests_sent": 2,
    }
    assert [(s.method, s.url) for s in files.seen] == [("HEAD", url), ("HEAD", cdn)]
    for request in files.seen:
        assert request.headers["User-Agent"] == settings.HMR_VERIFY_USER_AGENT
        assert request.headers["Accept-Encoding"] == "identity"  # Content-Length is the file's own
        assert "Range" not in request.headers and "Cookie" not in request.headers


def test_a_wrong_hash_names_both(files):
    url = files.huggingface("Haidra-Org/models", "changed.safetensors", size=SIZE, sha256=SHA)
    expected = hashlib.sha256(b"what the record says").hexdigest()
    [result] = check(TargetSpec(url, expected, SIZE))
    assert (result.outcome, result.reason) == (
        "hash_mismatch",
        f"the host publishes SHA-256 {SHA} (X-Linked-Etag); the record expects {expected}",
    )
    assert (result.remote_sha256, result.remote_size) == (SHA, SIZE)


def test_a_wrong_size(files):
    url = files.huggingface("Haidra-Org/models", "resized.safetensors", size=SIZE, sha256=SHA)
    [result] = check(TargetSpec(url, "", SIZE - 1))
    assert (result.outcome, result.reason) == (
        "size_mismatch",
        f"the host serves {SIZE:,} bytes (Content-Length); the record says {SIZE - 1:,}",
    )


def test_no_expectations_still_tells_what_the_host_publishes(files):
    url = files.huggingface("Haidra-Org/models", "new.safetensors", size=1234, sha256=SHA)
    [result] = check(TargetSpec(url))
    assert result.outcome == "ok"
    assert result.reason == (
        f"200 OK, the host publishes SHA-256 {SHA} (X-Linked-Etag); the record has none, "
        "1,234 bytes (the record gives no size)"
    )


def test_a_404_is_gone_and_asked_once(files):
    url = files.huggingface_missing("Haidra-Org/models", "deleted.safetensors")
    [result] = check(TargetSpec(url, SHA, SIZE))
    assert stored(result) | {"reason": result.reason} == {
        "outcome": "gone",
        "reason": "404 Not Found (EntryNotFound): the file is not at this URL",
        "http_status": 404,
        "final_url": "",
        "redirects": 0,
        "remote_size": None,
        "remote_sha256": "",
        "hash_source": "",
        "requests_sent": 1,  # not transient: no retry
    }


def test_a_repository_that_hugging_face_does_not_show_is_gone(files):
    url = files.huggingface_missing("someone/private-or-deleted", "model.safetensors", code="RepoNotFound")
    [result] = check(TargetSpec(url))
    assert (result.outcome, result.reason, result.http_status) == (
        "gone",
        "401 Unauthorized (RepoNotFound): the repository does not exist (or is private)",
        401,
    )


def test_a_401_login_wall(files):
    url = files.huggingface_missing("black-forest-labs/FLUX.1-dev", "flux1-dev.safetensors", code="GatedRepo")
    [result] = check(TargetSpec(url))
    assert (result.outcome, result.reason, result.http_status) == (
        "login_required",
        "401 Unauthorized (GatedRepo): the host asks for a login",
        401,
    )


def test_a_redirect_to_a_login_page(files):
    url = "https://civitai.com/api/download/models/1942411?type=Model&format=SafeTensor"
    login = "https://civitai.com/login?returnUrl=%2Fapi%2Fdownload%2Fmodels%2F1942411&reason=download-auth"
    files.redirect(url, login, code=307)
    files.serve("HEAD", login, lambda request: (200, {"Content-Type": "text/html; charset=utf-8"}, ""))
    files.serve("GET", "https://civitai.com/api/v1/model-versions/1942411", lambda request: (404, {}, "{}"))
    [result] = check(TargetSpec(url))
    assert (result.outcome, result.reason) == (
        "login_required",
        f"redirected to a login page ({login})",
    )


def test_a_link_to_a_web_page_instead_of_the_file(files):
    url = "https://huggingface.co/Haidra-Org/models/blob/main/albedo.safetensors"  # "blob", not "resolve"
    files.serve(
        "HEAD",
        url,
        lambda request: (200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": "90210"}, ""),
    )
    [result] = check(TargetSpec(url, SHA, SIZE))
    assert (result.outcome, result.reason) == ("gone", "the URL serves a web page (text/html), not the file")


def test_a_host_that_refuses_head_is_asked_for_one_byte(files):
    url = files.head_refused(
        "https://nmkd.de/shared/ESRGAN/Models/4x_NMKD-Superscale-SP_178000_G.pth", size=66_960_101
    )
    [result] = check(TargetSpec(url, "", 66_960_101))
    assert (result.outcome, result.reason) == (
        "ok",
        "206 Partial Content, SHA-256 not published by the host, size matches (66,960,101 bytes); "
        "HEAD answered 405, so a one-byte GET was sent",
    )
    assert (result.http_status, result.remote_size, result.requests_sent) == (206, 66_960_101, 2)
    assert [(s.method, s.headers.get("Range")) for s in files.seen] == [("HEAD", None), ("GET", "bytes=0-0")]


def test_civitai_hashes_come_from_its_api(files):
    url = files.civitai(1942411, 1838120, size=6_938_040_682, sha256=SHA)
    [good] = check(TargetSpec(url, SHA, 6_938_040_682))
    assert (good.outcome, good.hash_source, good.remote_sha256, good.remote_size) == (
        "ok",
        "civitai API",
        SHA,
        6_938_040_682,
    )
    assert good.reason == (
        "206 Partial Content, SHA-256 matches (civitai API), size matches (6,938,040,682 bytes); "
        "HEAD answered 403, so a one-byte GET was sent"
    )
    assert [s.method + " " + s.url.split("?")[0] for s in files.seen] == [
        f"HEAD {url.split('?')[0]}",
        f"HEAD {files.seen[1].url.split('?')[0]}",  # the signed storage URL refuses HEAD…
        f"GET {url.split('?')[0]}",
        f"GET {files.seen[1].url.split('?')[0]}",  # …and answers a one-byte GET
        "GET https://civitai.com/api/v1/model-versions/1942411",
    ]
    assert good.requests_sent == 5  # HEAD, HEAD (refused), GET, GET, the API
    other = hashlib.sha256(b"the record's idea").hexdigest()
    [bad] = check(TargetSpec(url, other, 6_938_040_682))
    assert bad.outcome == "hash_mismatch"
    assert bad.reason.startswith(
        f"the host publishes SHA-256 {SHA} (civitai API); the record expects {other}"
    )


def test_a_digest_header_gives_the_hash(files):
    digest = base64.b64encode(bytes.fromhex(SHA)).decode()
    url = files.file(
        "https://storage.googleapis.com/sfr/BLIP/model_large_caption.pth",
        size=1_785_411_505,
        headers={"Digest": f"SHA-256={digest}"},
    )
    [result] = check(TargetSpec(url, SHA, None))
    assert (result.outcome, result.hash_source, result.remote_sha256) == ("ok", "Digest", SHA)


def test_transient_failures_are_retried_and_then_reported(files, settings):
    settings.HMR_VERIFY_RETRIES = 2
    answers = iter([503, 502])
    url = "https://github.com/TencentARC/GFPGAN/releases/download/v1.3.4/GFPGANv1.4.pth"
    files.serve("HEAD", url, lambda request: (next(answers, 200), {"Content-Length": "348632874"}, ""))
    [recovered] = check(TargetSpec(url, "", 348_632_874))
    assert (recovered.outcome, recovered.requests_sent) == ("ok", 3)

    down = files.status(
        "https://github.com/xinntao/Real-ESRGAN/releases/download/v0.1.0/RealESRGAN_x4plus.pth", 503
    )
    [failed] = check(TargetSpec(down))
    assert (failed.outcome, failed.reason, failed.http_status, failed.requests_sent) == (
        "host_error",
        "503 Service Unavailable (3 attempts)",
        503,
        3,
    )


def test_a_name_that_does_not_resolve(files):
    [result] = check(TargetSpec("https://models.example-that-is-gone.net/file.safetensors"))
    assert (result.outcome, result.reason) == (
        "host_error",
        "models.example-that-is-gone.net does not resolve",
    )
    assert files.seen == []


def test_too_many_redirects(files, settings):
    settings.HMR_VERIFY_MAX_REDIRECTS = 3
    for n in range(5):
        files.redirect(f"https://github.com/loop/{n}", f"https://github.com/loop/{n + 1}")
    [result] = check(TargetSpec("https://github.com/loop/0"))
    assert (result.outcome, result.reason, result.redirects) == ("host_error", "more than 3 redirects", 3)
    assert len(files.seen) == 4


def test_only_http_urls_are_checked(files):
    [result] = check(TargetSpec("ftp://ftp.example.org/model.ckpt"))
    assert (result.outcome, result.reason) == (
        "refused",
        "only http:// and https:// URLs are checked, not 'ftp://ftp.example.org/model.ckpt'",
    )
    assert files.seen == []

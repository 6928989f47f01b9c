"""Download checks on the desk: a proposal queues the check of the URLs it adds or changes, and
the change page, the bulk-approve page and the record page show each URL's result."""

from __future__ import annotations

import hashlib

import pytest

from apps.moderation import selectors
from apps.moderation.models import PendingChange
from apps.verification import services
from apps.verification.models import DownloadCheck, DownloadTarget
from apps.verification.targets import TargetSpec
from tests.moderation.conftest import ADMIN_QUEUE, ADMIN_RECORDS, V2, image_payload
from tests.moderation.desk import body, messages_of, propose, record, section, text

pytestmark = pytest.mark.django_db
SHA = hashlib.sha256(b"brand new").hexdigest()
BROKEN = "https://huggingface.co/someone/brand-new/resolve/main/brand_new.safetensors"


def broken_payload(name="Brand New"):
    download = {"file_name": "brand_new.safetensors", "file_url": BROKEN, "sha256sum": SHA}
    return image_payload(name, config={"download": [download]})


def test_a_proposal_with_a_broken_url_shows_why_on_its_change_page(
    catalog, requestor, approver_admin, files, django_capture_on_commit_callbacks
):
    files.huggingface_missing("someone/brand-new", "brand_new.safetensors")
    with django_capture_on_commit_callbacks(execute=True):
        response = requestor.post(f"{V2}/image_generation", broken_payload())
    assert response.status_code == 202
    assert [(s.method, s.url) for s in files.seen] == [("HEAD", BROKEN)]
    check = DownloadCheck.objects.get()
    assert (check.trigger, check.outcome, check.target.expected_sha256) == ("change", "gone", SHA)

    page = approver_admin.get(f"{ADMIN_QUEUE}{response.json()['change_id']}/change/")
    assert section(page, "download-flag") == "download problem"
    assert section(page, "change-downloads") == text(
        "file URL expected result "
        f"✗ brand_new.safetensors new {BROKEN} SHA-256 {SHA[:12]}…, no size "
        "gone: 404 Not Found (EntryNotFound): the file is not at this URL checked 2026-01-02 03:04 UTC · every check"
    )
    history = approver_admin.get(f"/admin/verification/downloadtarget/{check.target_id}/change/")
    assert f'href="/admin/verification/downloadtarget/{check.target_id}/change/"' in body(page)
    assert "404 Not Found (EntryNotFound): the file is not at this URL" in text(body(history))


def test_a_good_url_is_ticked(catalog, requestor, approver_admin, files, django_capture_on_commit_callbacks):
    url = files.huggingface("someone/good", "good.safetensors", size=6_000_000, sha256=SHA)
    payload = image_payload(
        config={"download": [{"file_name": "good.safetensors", "file_url": url, "sha256sum": SHA}]}
    )
    with django_capture_on_commit_callbacks(execute=True):
        change_id = requestor.post(f"{V2}/image_generation", payload).json()["change_id"]
    page = approver_admin.get(f"{ADMIN_QUEUE}{change_id}/change/")
    assert 'id="download-flag"' not in body(page)
    assert "✓ good.safetensors new" in section(page, "change-downloads")
    assert (
        "ok: 200 OK, SHA-256 matches (X-Linked-Etag), 6,000,000 bytes (the record gives no size)"
        in section(page, "change-downloads")
    )


def test_only_added_or_changed_urls_are_checked(catalog, files, django_capture_on_commit_callbacks):
    realism = record("Demo Realism")
    with django_capture_on_commit_callbacks(execute=True):
        propose(description="Only the text changes.")
    assert files.seen == [] and DownloadTarget.objects.count() == 0

    download = dict(realism.data["config"]["download"][0], sha256sum=SHA)
    files.huggingface_url(download["file_url"], size=realism.size_on_disk_bytes, sha256=SHA)
    with django_capture_on_commit_callbacks(execute=True):
        propose(config={**realism.data["config"], "download": [download]})
    target = DownloadTarget.objects.get()
    assert (target.url, target.expected_sha256, target.expected_size) == (
        download["file_url"],
        SHA,
        realism.size_on_disk_bytes,  # the record's one file: its size is the record's size on disk
    )
    assert [s.url for s in files.seen if s.url.startswith("https://huggingface.co/")] == [
        download["file_url"]
    ]


def test_no_check_is_queued_when_proposal_checks_are_off(
    catalog, requestor, files, settings, django_capture_on_commit_callbacks
):
    settings.HMR_VERIFY_ON_PROPOSAL = False
    with django_capture_on_commit_callbacks(execute=True):
        assert requestor.post(f"{V2}/image_generation", broken_payload()).status_code == 202
    assert files.seen == [] and DownloadTarget.objects.count() == 0


def test_a_check_still_queued_shows_checking(catalog, requestor, approver_admin):
    change_id = requestor.post(f"{V2}/image_generation", broken_payload()).json()[
        "change_id"
    ]  # no commit hooks
    page = approver_admin.get(f"{ADMIN_QUEUE}{change_id}/change/")
    assert "· brand_new.safetensors new" in section(page, "change-downloads")
    assert "not checked yet" in section(page, "change-downloads")
    services.download_checks_request(specs=[TargetSpec(BROKEN, SHA)])  # queued, no worker has run it yet
    page = approver_admin.get(f"{ADMIN_QUEUE}{change_id}/change/")
    assert "… brand_new.safetensors new" in section(page, "change-downloads")
    assert "checking… (queued 0 minutes ago)" in section(page, "change-downloads")


def test_the_bulk_approve_page_lists_each_changes_downloads(
    catalog, requestor, approver_admin, files, django_capture_on_commit_callbacks
):
    files.huggingface_missing("someone/brand-new", "brand_new.safetensors")
    with django_capture_on_commit_callbacks(execute=True):
        broken = requestor.post(f"{V2}/image_generation", broken_payload()).json()["change_id"]
    text_only = propose(description="Nothing downloadable changes.")
    page = approver_admin.post(
        ADMIN_QUEUE, {"action": "approve_as_batch", "_selected_action": [broken, text_only.pk]}, follow=True
    )
    shown = text(body(page))
    # One line per change: what it changes, who, and each download with its check.
    fields = len(selectors.change_diff(PendingChange.objects.get(pk=broken)).field_diffs)
    assert (
        f"#{broken} create image_generation / Brand New critical new record, {fields} fields "
        "Requester#1001, 2026-01-02 03:04 "
        "✗ brand_new.safetensors: gone — 404 Not Found (EntryNotFound): the file is not at this URL"
    ) in shown
    assert (
        f"#{text_only.pk} update image_generation / Demo Realism modified: description "
        "Requester#1001, 2026-01-02 03:04 · demo_realism.safetensors (not checked yet)"
    ) in shown
    assert (
        section(page, "download-problems")
        == "1 of the selected changes name a download that failed its check (✗ above)."
    )


def test_check_downloads_now_on_a_record_page(catalog, approver_admin, requestor_admin, files):
    realism = record("Demo Realism")
    [spec] = services.selectors.catalog_specs(record_ids=[realism.pk])[realism.pk]
    files.huggingface_url(spec.url, size=spec.expected_size, sha256=spec.expected_sha256)
    page = approver_admin.get(f"{ADMIN_RECORDS}{realism.pk}/change/")
    assert "not checked yet" in section(page, "record-download-checks")
    assert 'id="check-downloads"' in body(page)
    assert 'id="check-downloads"' not in body(requestor_admin.get(f"{ADMIN_RECORDS}{realism.pk}/change/"))
    assert requestor_admin.post(f"{ADMIN_RECORDS}{realism.pk}/check-downloads/").status_code == 403

    done = approver_admin.post(f"{ADMIN_RECORDS}{realism.pk}/check-downloads/", follow=True)
    assert messages_of(done) == [
        "Checking 1 download URL(s) of “Demo Realism”; the results show on the record pages."
    ]
    shown = section(done, "record-download-checks")
    assert f"✓ demo_realism.safetensors {spec.url}" in shown
    assert f"size matches ({spec.expected_size:,} bytes)" in shown
    assert DownloadCheck.objects.get().trigger == "on_demand"


def test_the_record_list_filters_by_download_state_and_checks_a_category(catalog, approver_admin, files):
    specs = services.selectors.catalog_specs(category="image_generation")
    realism, painter = record("Demo Realism"), record("Demo Painter")
    for record_id, [spec] in specs.items():
        if record_id == painter.pk:
            files.huggingface_missing("hmr-demo/models", "demo_painter.safetensors")
        else:
            files.huggingface_url(spec.url, size=spec.expected_size, sha256=spec.expected_sha256)

    def names(state):
        page = approver_admin.get(ADMIN_RECORDS, {"category__exact": "image_generation", "downloads": state})
        return sorted(r.name for r in page.context["cl"].result_list)

    everything = sorted(
        r.name for r in record.__globals__["ModelRecord"].objects.filter(category="image_generation")
    )
    assert names("unchecked") == everything and names("ok") == names("problem") == []

    listing = approver_admin.get(ADMIN_RECORDS, {"category__exact": "image_generation"})
    assert 'id="check-category"' in body(listing)
    done = approver_admin.post(f"{ADMIN_RECORDS}check-downloads/image_generation/", follow=True)
    assert messages_of(done) == [
        f"Checking {len(specs)} download URL(s) of every image_generation record; the results show on the record pages."
    ]
    assert names("problem") == ["Demo Painter"]
    assert services.selectors.category_download_problems() == {"image_generation": 1}  # the dashboard's count
    assert names("ok") == sorted(set(everything) - {"Demo Painter"})
    assert names("unchecked") == []
    assert realism.name in names("ok")
    assert (
        approver_admin.get(ADMIN_RECORDS, {"category__exact": "blip", "downloads": "none"}).status_code == 200
    )


def test_a_url_that_is_no_web_address_is_refused_and_not_a_link(
    catalog, requestor, approver_admin, files, django_capture_on_commit_callbacks
):
    payload = image_payload(
        config={"download": [{"file_name": "x.safetensors", "file_url": "javascript:alert(1)"}]}
    )
    with django_capture_on_commit_callbacks(execute=True):
        change_id = requestor.post(f"{V2}/image_generation", payload).json()["change_id"]
    page = approver_admin.get(f"{ADMIN_QUEUE}{change_id}/change/")
    assert 'href="javascript:' not in body(page)
    assert (
        "refused (not a public address): only http:// and https:// URLs are checked, not 'javascript:alert(1)'"
        in section(page, "change-downloads")
    )
    assert files.seen == []


def test_an_approver_checks_a_changes_downloads_again(
    catalog, requestor, approver_admin, requestor_admin, files
):
    change_id = requestor.post(f"{V2}/image_generation", broken_payload()).json()["change_id"]  # not checked
    assert 'id="check-change-downloads"' not in body(requestor_admin.get(f"{ADMIN_QUEUE}{change_id}/change/"))
    assert requestor_admin.post(f"{ADMIN_QUEUE}{change_id}/check-downloads/").status_code == 403
    files.huggingface_missing("someone/brand-new", "brand_new.safetensors")
    done = approver_admin.post(f"{ADMIN_QUEUE}{change_id}/check-downloads/", follow=True)
    assert messages_of(done) == [f"Checking 1 download URL(s) of change #{change_id}."]
    assert "gone: 404 Not Found (EntryNotFound)" in section(done, "change-downloads")
    assert DownloadCheck.objects.get().trigger == "on_demand"

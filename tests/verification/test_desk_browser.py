"""Acceptance 2, in headless Chromium: a requestor proposes an edit whose download URL is broken;
before anyone approves, the change page shows ✗ and the reason (screenshot in tests/artifacts/)."""

from __future__ import annotations

import json

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from apps.catalog.models import ModelRecord
from apps.moderation.models import PendingChange
from apps.verification.models import DownloadCheck
from tests.browser import open_page, page_left, screenshot, sign_in_with_key
from tests.fake_horde import APPROVER, REQUESTOR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MOVED = "https://huggingface.co/hmr-demo/models/resolve/main/demo_realism_v2.safetensors"


def test_a_broken_download_shows_on_the_desk_before_approval(browser, site, files):
    files.huggingface_missing("hmr-demo/models", "demo_realism_v2.safetensors")
    record = ModelRecord.objects.get(category="image_generation", name="Demo Realism")
    config = dict(record.data["config"])
    config["download"] = [{**config["download"][0], "file_url": MOVED}]

    sign_in_with_key(browser, site, REQUESTOR.apikey)
    open_page(browser, f"{site}/admin/catalog/modelrecord/{record.pk}/propose-edit/")
    field = browser.find_element(By.ID, "id_config")
    field.clear()
    field.send_keys(json.dumps(config))
    browser.find_element(By.ID, "id_notes").send_keys("The file moved to a v2 name.")
    for button in ("#propose-form [type=submit]", "#submit-proposal"):  # the diff first, then submit
        old_page = browser.find_element(By.TAG_NAME, "html")
        browser.find_element(By.CSS_SELECTOR, button).click()
        WebDriverWait(browser, 10).until(page_left(old_page))
    change = PendingChange.objects.get()
    assert change.status == "pending"
    assert DownloadCheck.objects.get().outcome == "gone"  # checked right after the proposal

    browser.delete_all_cookies()
    sign_in_with_key(browser, site, APPROVER.apikey)
    open_page(browser, f"{site}/admin/moderation/pendingchange/{change.pk}/change/")
    assert browser.find_element(By.ID, "download-flag").text.lower() == "download problem"
    [row] = browser.find_elements(By.CSS_SELECTOR, "#change-downloads tbody tr")
    cells = [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
    assert cells[0] == "✗"
    assert cells[1].startswith("demo_realism.safetensors") and cells[2] == MOVED
    assert cells[4].startswith("gone: 404 Not Found (EntryNotFound): the file is not at this URL")
    assert browser.find_element(By.ID, "approve-form").is_displayed()  # nobody has decided yet
    browser.set_window_size(1280, 1150)  # the flag, the decision buttons and the downloads at once
    screenshot(browser, "verification-desk-broken-download")
    assert PendingChange.objects.get().status == "pending"

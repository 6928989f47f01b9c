"""Acceptance 4, in headless Chromium: a requestor proposes an edit in the admin, an approver
approves it as a titled batch and applies it, and the v1 API serves the change."""

from __future__ import annotations

import json
import urllib.request

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from apps.catalog.models import ModelRecord
from apps.moderation.models import PendingChange
from tests.browser import open_page, page_left, screenshot, sign_in_with_key
from tests.fake_horde import APPROVER, REQUESTOR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NEW_DESCRIPTION = "Realistic portraits; retrained on licensed photos."


def body_text(browser) -> str:
    return browser.find_element(By.TAG_NAME, "body").text


def submit(browser, css: str) -> str:
    """Click the submit button of the form (or the button) at `css`; the text of the next page."""
    old_page = browser.find_element(By.TAG_NAME, "html")
    button = browser.find_element(By.CSS_SELECTOR, css)
    if button.tag_name == "form":
        button = button.find_element(By.CSS_SELECTOR, "[type=submit]")
    button.click()
    WebDriverWait(browser, 10).until(page_left(old_page))
    return body_text(browser)


def v1_stable_diffusion(site: str) -> dict:
    # urllib, not requests: the fake AI-Horde (`responses`) intercepts every `requests` call.
    with urllib.request.urlopen(f"{site}/api/model_references/v1/stable_diffusion", timeout=10) as response:
        return json.load(response)


def test_a_proposed_edit_is_approved_as_a_batch_applied_and_served(browser, site):
    assert v1_stable_diffusion(site)["Demo Realism"]["nsfw"] is False

    # The requestor proposes an edit on the record's page.
    sign_in_with_key(browser, site, REQUESTOR.apikey)
    record = ModelRecord.objects.get(category="image_generation", name="Demo Realism")
    page = open_page(browser, f"{site}/admin/catalog/modelrecord/{record.pk}/change/")
    assert "PROPOSE AN EDIT" in page and "record create" in page  # the import, in the history
    browser.find_element(By.ID, "propose-edit").click()
    description = browser.find_element(By.ID, "id_description")
    description.clear()
    description.send_keys(NEW_DESCRIPTION)
    browser.find_element(By.ID, "id_nsfw").click()
    browser.find_element(By.ID, "id_notes").send_keys("The author marked it NSFW.")
    screenshot(browser, "moderation-propose-edit")
    page = submit(browser, "#propose-form")  # the review step: nothing queued yet
    assert "What your proposal changes" in page and not PendingChange.objects.exists()
    page = submit(browser, "#submit-proposal")
    change = PendingChange.objects.get()
    assert f"Proposed change #{change.pk}: update of image_generation “Demo Realism”." in page
    assert "Approve" not in browser.find_element(By.ID, "change-desk").text  # a requestor cannot
    assert ModelRecord.objects.get(pk=record.pk).data["description"] != NEW_DESCRIPTION

    # The approver approves it as a titled batch from the queue…
    browser.delete_all_cookies()
    sign_in_with_key(browser, site, APPROVER.apikey)
    open_page(browser, f"{site}/admin/moderation/pendingchange/")
    assert browser.find_element(By.CSS_SELECTOR, "#queue-summary [data-status=pending]").text == "1 Pending"
    browser.find_element(By.CSS_SELECTOR, f"input[name=_selected_action][value='{change.pk}']").click()
    Select(browser.find_element(By.NAME, "action")).select_by_visible_text("Approve as batch…")
    submit(browser, "#changelist-form button[name=index]")
    browser.find_element(By.ID, "id_batch_title").send_keys("Week 12: NSFW flags")
    screenshot(browser, "moderation-approve-as-batch")
    page = submit(browser, "#review-form")
    assert f"Approved #{change.pk} update image_generation/Demo Realism as batch" in page
    assert "“Week 12: NSFW flags”" in page

    # …looks at the diff…
    open_page(browser, f"{site}/admin/moderation/pendingchange/{change.pk}/change/")
    rows = [
        [cell.text for cell in row.find_elements(By.CSS_SELECTOR, "th, td")]
        for row in browser.find_elements(By.CSS_SELECTOR, "#field-diff tbody tr")
    ]
    assert rows == [
        [
            "description",
            "Demo Realism: a demonstration record written for HMR's quick start.",
            "→",
            NEW_DESCRIPTION,
        ],
        ["nsfw CRITICAL", "false", "→", "true"],
    ]
    browser.set_window_size(1280, 1500)
    screenshot(browser, "moderation-change-diff")

    # …and applies it.
    page = submit(browser, "#apply-form")
    assert f"Applied 1 change: #{change.pk} update image_generation/Demo Realism." in page
    assert browser.find_element(By.ID, "change-status").text.lower() == "applied"
    screenshot(browser, "moderation-change-applied")

    open_page(browser, f"{site}/admin/moderation/pendingchange/")
    screenshot(browser, "moderation-queue")
    open_page(browser, f"{site}/admin/moderation/reviewbatch/{PendingChange.objects.get().batch_id}/change/")
    screenshot(browser, "moderation-batch")

    served = v1_stable_diffusion(site)["Demo Realism"]
    assert (served["description"], served["nsfw"]) == (NEW_DESCRIPTION, True)

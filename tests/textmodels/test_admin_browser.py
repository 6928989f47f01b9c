"""Acceptance 5, in headless Chromium on the real data: an approver opens a text model group,
proposes a common field for every member (previewing the diff), approves the proposed batch and
applies it; the API then serves the new value for every member. Screenshots: tests/artifacts/."""

from __future__ import annotations

import json
import urllib.request

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from apps.accounts.services import role_grant_create
from apps.audit.models import AuditEvent
from apps.audit.services import Actor
from apps.catalog.imports import import_references
from apps.moderation.models import ReviewBatch
from tests.browser import open_page, page_left, screenshot, sign_in_with_key
from tests.fake_horde import APPROVER
from tests.textmodels import realdata

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def text_site(live_server, horde, legacy_dir):
    import_references(actor=Actor(origin=AuditEvent.Origin.IMPORT, name="test"), legacy_dir=legacy_dir)
    role_grant_create(horde_user_id=APPROVER.user_id, role="approver", granted_by="test")
    return live_server.url


def click(browser, css: str) -> str:
    old = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, css).click()
    WebDriverWait(browser, 10).until(page_left(old))
    return browser.find_element(By.TAG_NAME, "body").text


def v2_styles(site: str, names: list[str]) -> set[str]:
    # urllib, not requests: the fake AI-Horde (`responses`) intercepts every `requests` call.
    with urllib.request.urlopen(f"{site}/api/model_references/v2/text_generation", timeout=10) as response:
        document = json.load(response)
    return {document[name].get("style") for name in names}


def test_an_approver_proposes_a_field_for_every_member_approves_and_applies_the_batch(browser, text_site):
    site, names = text_site, [r["name"] for r in realdata.group_rows("magnum")]
    assert v2_styles(site, names) != {"roleplay"}
    sign_in_with_key(browser, site, APPROVER.apikey)
    browser.set_window_size(1400, 1000)

    page = open_page(browser, f"{site}/admin/textmodels/textmodelgroup/?q=magnum")
    assert "magnum 10 9B, 12B, 22B, 27B, 34B, 72B, 123B" in page
    screenshot(browser, "textmodels-group-list")
    page = click(browser, "#group-list tr[data-group=magnum] a")
    assert "10 members" in page and "What they share" in page and "What differs" in page
    browser.set_window_size(1400, 1600)
    screenshot(browser, "textmodels-group-page")

    click(browser, "#propose-for-members")
    browser.find_element(By.ID, "id_set_style").click()
    style = browser.find_element(By.ID, "id_style")
    style.clear()
    style.send_keys("roleplay")
    page = click(browser, "#propose-members-form [name=preview]")
    assert "What each member's update changes (10 of 10 change" in page
    assert all(name in browser.find_element(By.ID, "preview").text for name in names)
    browser.set_window_size(1400, 2200)
    screenshot(browser, "textmodels-propose-preview")

    page = click(browser, "#propose-button")
    batch = ReviewBatch.objects.get()
    assert f"Proposed 10 changes as batch #{batch.pk}" in page
    headline = " ".join(browser.find_element(By.ID, "batch-headline").text.split())
    assert headline.startswith("PROPOSED Proposed together by App#2002")
    assert headline.endswith("10 changes waiting for review.")
    screenshot(browser, "textmodels-proposed-batch")

    page = click(browser, "#approve-batch-form [type=submit]")
    assert f"as batch #{batch.pk}" in page
    page = click(browser, "#apply-batch-form [type=submit]")
    assert "Applied 10 changes:" in page
    browser.set_window_size(1400, 1600)
    screenshot(browser, "textmodels-batch-applied")
    assert v2_styles(site, names) == {"roleplay"}

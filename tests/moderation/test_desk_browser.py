"""The finished desk in headless Chromium: the queue fits 1280 px with the sidebar open, "Approve
as batch…" shows every selected change's diff on one page, and a proposal is reviewed as its
diff before it is queued."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from apps.catalog.categories import Category
from apps.moderation import selectors, services
from apps.moderation.models import PendingChange
from tests.browser import open_page, page_left, screenshot, sign_in_with_key
from tests.fake_horde import APPROVER
from tests.moderation.desk import BY_REQUESTOR, propose, record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LONG_NAME = "an-extraordinarily-long-community-merge-name-without-any-spaces-v2.1-" + "x" * 60


def click_and_wait(browser, css: str) -> None:
    old_page = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, css).click()
    WebDriverWait(browser, 10).until(page_left(old_page))


def test_the_desk(browser, site):
    critical = propose(nsfw=True, description="Marked NSFW by its author.")
    wordy = propose("Demo Painter", description="Paints in oils now.", tags=["demo", "painting"])
    payload = {
        "name": LONG_NAME,
        "baseline": "stable_diffusion_xl",
        "nsfw": False,
        "description": "A merge with a very long name.",
        "config": {
            "download": [{"file_name": "m.safetensors", "file_url": "https://huggingface.co/x/m.safetensors"}]
        },
    }
    created = services.change_enqueue(
        proposal=services.Proposal(Category.IMAGE_GENERATION, "create", LONG_NAME, payload),
        actor=BY_REQUESTOR,
    )

    # The queue at 1280 px, navigation sidebar open: no sideways scrolling, long names wrap.
    sign_in_with_key(browser, site, APPROVER.apikey)
    open_page(browser, f"{site}/admin/moderation/pendingchange/")
    assert browser.find_element(By.ID, "nav-sidebar").is_displayed()
    assert browser.find_element(By.ID, "changelist-filter").is_displayed()
    widths = browser.execute_script(
        "const e = document.documentElement; return [e.scrollWidth, e.clientWidth, window.innerWidth];"
    )
    assert widths[2] == 1280 and widths[0] <= widths[1], widths
    table = browser.find_element(By.ID, "result_list")
    content = browser.find_element(By.ID, "content")
    assert table.rect["x"] + table.rect["width"] <= content.rect["x"] + content.rect["width"] + 1
    assert LONG_NAME in table.text.replace("\n", "")
    screenshot(browser, "desk-queue-1280")

    # "Approve as batch…" for the three: one line each, every diff readable on the page.
    for change in (critical, wordy, created):
        browser.find_element(By.CSS_SELECTOR, f"input[name=_selected_action][value='{change.pk}']").click()
    Select(browser.find_element(By.NAME, "action")).select_by_visible_text("Approve as batch…")
    click_and_wait(browser, "#changelist-form button[name=index]")
    items = browser.find_elements(By.CSS_SELECTOR, "#review-list > li")
    assert [i.get_attribute("data-change") for i in items] == [str(c.pk) for c in (critical, wordy, created)]
    summaries = [i.find_element(By.TAG_NAME, "summary").text for i in items]
    assert summaries[0].startswith(
        f"#{critical.pk}\nUPDATE\nimage_generation / Demo Realism\nCRITICAL\nmodified: "
    )
    assert "modified: description, tags" in summaries[1] and "CRITICAL" not in summaries[1]
    assert f"new record, {len(selectors.change_diff(created).field_diffs)} fields" in summaries[2]
    assert not items[0].find_element(By.CSS_SELECTOR, "table").is_displayed()  # collapsed…
    for item in items:
        item.find_element(By.TAG_NAME, "summary").click()  # …and opened
    rows = items[0].find_elements(By.CSS_SELECTOR, "tbody tr")
    assert [r.text.replace("\n", " ") for r in rows] == [
        "description Demo Realism: a demonstration record written for HMR's quick start. → Marked NSFW by its author.",
        "nsfw CRITICAL false → true",
    ]
    assert all(i.find_element(By.CSS_SELECTOR, "table").is_displayed() for i in items)
    browser.find_element(By.ID, "id_batch_title").send_keys("Week 14: three fixes")
    browser.set_window_size(1280, 1600)
    browser.execute_script("window.scrollTo(0, 0);")
    screenshot(browser, "desk-bulk-approve")
    click_and_wait(browser, "#review-form [type=submit]")
    assert set(PendingChange.objects.values_list("status", flat=True)) == {"approved"}
    browser.set_window_size(1280, 900)

    # A proposal's review step: the diff first, nothing queued; back to editing keeps what was typed.
    open_page(browser, f"{site}/admin/catalog/modelrecord/{record('Demo Anime XL').pk}/propose-edit/")
    description = browser.find_element(By.ID, "id_description")
    description.clear()
    description.send_keys("Anime, now with cleaner line art.")
    browser.find_element(By.ID, "id_notes").send_keys("From the author's release notes.")
    click_and_wait(browser, "#propose-form [type=submit]")
    assert PendingChange.objects.count() == 3
    diff = browser.find_element(By.ID, "proposal-diff").text
    assert "description" in diff and "Anime, now with cleaner line art." in diff
    assert browser.find_element(By.ID, "submit-proposal").get_attribute("value") == "Submit proposal"
    screenshot(browser, "desk-proposal-review")
    click_and_wait(browser, "#back-to-editing")
    assert (
        browser.find_element(By.ID, "id_description").get_attribute("value")
        == "Anime, now with cleaner line art."
    )
    click_and_wait(browser, "#propose-form [type=submit]")
    click_and_wait(browser, "#submit-proposal")
    proposed = PendingChange.objects.get(model_name="Demo Anime XL")
    assert (
        f"Proposed change #{proposed.pk}: update of image_generation “Demo Anime XL”."
        in browser.find_element(By.TAG_NAME, "body").text
    )
    assert proposed.payload["description"] == "Anime, now with cleaner line art."

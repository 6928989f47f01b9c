"""The curation dashboard in headless Chromium, on the real catalog with a week of AI-Horde usage
from the fake: image_generation and text_generation, screenshots in tests/artifacts/ (who may
open it: tests/analytics/test_dashboard.py)."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from apps.accounts.services import role_grant_create
from apps.analytics.services import usage_refresh
from apps.catalog.imports import import_references
from apps.core import clock
from tests.analytics.horde_payloads import PAYLOADS
from tests.browser import open_page, page_left, screenshot, sign_in_with_key
from tests.conftest import FROZEN_AT
from tests.fake_horde import APPROVER, REQUESTOR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DAYS = 7


def _scaled(day: int) -> dict:
    """The payloads, usage growing a little every day (a trend to draw)."""
    payloads = copy.deepcopy(PAYLOADS)
    for kind in ("stats/image", "stats/text"):
        for period in ("day", "month"):
            payloads[kind][period] = {
                n: int(v * (0.6 + 0.4 * day / DAYS)) for n, v in payloads[kind][period].items()
            }
    return payloads


@pytest.fixture
def dashboard_site(live_server, horde, legacy_dir, import_actor):
    import_references(actor=import_actor, legacy_dir=legacy_dir)
    role_grant_create(horde_user_id=REQUESTOR.user_id, role="requestor", granted_by="test")
    role_grant_create(horde_user_id=APPROVER.user_id, role="approver", granted_by="test")
    for day in range(DAYS):
        clock.freeze(FROZEN_AT - timedelta(days=DAYS - 1 - day))
        horde.serve_usage(_scaled(day + 1))
        usage_refresh()
    clock.freeze(FROZEN_AT + timedelta(minutes=3))
    return live_server.url


def _text(browser, element_id: str) -> str:
    return browser.find_element(By.ID, element_id).text


def _charts_drawn(browser) -> list[str]:
    return browser.execute_script(
        "return Array.from(document.querySelectorAll('canvas')).filter(c => Chart.getChart(c)).map(c => c.id)"
    )


def test_a_moderator_reads_the_dashboard_of_both_categories(browser, dashboard_site):
    sign_in_with_key(browser, dashboard_site, APPROVER.apikey)
    index = open_page(browser, f"{dashboard_site}/admin/")
    assert "CURATION ANALYTICS" in index and "Curation dashboard" in index
    browser.find_element(By.LINK_TEXT, "Curation dashboard").click()

    # image_generation: tiles, four charts, the risk table, the unknown name.
    assert "AI-Horde usage as of 2026-01-02 03:04 UTC" in _text(browser, "snapshot")
    tiles = _text(browser, "tiles")
    assert "161\nrecords" in tiles and "82\nNSFW" in tiles and "9\nserved by workers" in tiles
    assert "1\nserved, unknown to the reference" in tiles
    assert _charts_drawn(browser) == ["chart-baselines", "chart-top", "chart-trend", "chart-hosts"]
    assert "Usage trend: AlbedoBase XL (SDXL)" in _text(browser, "dashboard")
    rows = browser.find_elements(By.CSS_SELECTOR, "#risk-table tbody tr")
    assert len(rows) == 100 and rows[0].text.startswith("AlbedoBase XL (SDXL) 0")
    assert "Some Custom Anime XL 1" in _text(browser, "unknown-table")
    browser.set_window_size(1280, 2400)
    screenshot(browser, "dashboard-image_generation")

    # The preset filters the table; a row's "Propose deletion" opens the proposal page.
    old = browser.find_element(By.TAG_NAME, "html")
    Select(browser.find_element(By.ID, "preset")).select_by_value("host_issues")
    WebDriverWait(browser, 10).until(page_left(old))
    rows = browser.find_elements(By.CSS_SELECTOR, "#risk-table tbody tr")
    assert len(rows) == 9 and all("has non preferred host" in r.text for r in rows)
    rows[0].find_element(By.LINK_TEXT, "Propose deletion").click()
    assert "(version 1) will be proposed for deletion." in browser.find_element(By.TAG_NAME, "body").text

    # text_generation: backends and quantisations counted, unknown names listed with their link.
    page = open_page(browser, f"{dashboard_site}/admin/analytics/usagesnapshot/?category=text_generation")
    assert "719\nrecords" in _text(browser, "tiles")
    assert "Usage trend: Sao10K/L3-8B-Stheno-v3.2" in page
    unknown = _text(browser, "unknown-table")
    assert (
        "koboldcpp/Totally-Unknown-13B-Q5_K_M 1" in unknown
        and "aphrodite/SomeOrg/Not-In-Reference-70B" in unknown
    )
    assert "No download files in this category." in page
    assert _charts_drawn(browser) == ["chart-baselines", "chart-top", "chart-trend"]
    screenshot(browser, "dashboard-text_generation")
    link = browser.find_element(By.CSS_SELECTOR, "#unknown-table a").get_attribute("href")
    assert link.endswith(
        "/admin/catalog/modelrecord/propose/text_generation/?name=Totally-Unknown-13B-Q5_K_M"
    )

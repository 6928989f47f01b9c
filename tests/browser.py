"""Headless Chromium for the browser tests: the `browser` and `site` fixtures (registered in
tests/conftest.py) and page helpers. Needs chromium and chromedriver (`make test` installs them
with apt if missing). The live server runs in a thread of the test process, so the fake AI-Horde
(`responses`) answers its find_user calls.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from apps.accounts.services import role_grant_create
from apps.audit.models import AuditEvent
from apps.audit.services import Actor
from apps.catalog.imports import import_references
from apps.catalog.sources import DEMO_DIR
from tests.fake_horde import APPROVER, REQUESTOR

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,900",
)


def page_left(old_element):
    """A wait condition: the page that held `old_element` is gone. Selenium's `staleness_of`, plus
    Chromium's other answer while a navigation replaces the document ("Node with given id does not
    belong to the document"), which newer Chromium builds give instead of a stale reference."""

    def gone(_driver) -> bool:
        try:
            old_element.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            if "does not belong to the document" in (exc.msg or ""):
                return True
            raise
        return False

    return gone


def chromium(profile_dir: Path, extra_flags: tuple[str, ...] = ()) -> webdriver.Chrome:
    """A headless Chromium (the caller quits it); `extra_flags` e.g. map a host to a local fake."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not binary or not driver_path:
        pytest.fail(
            "Headless Chromium is missing: apt-get install -y chromium chromium-driver (make test does)."
        )
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (*CHROMIUM_FLAGS, *extra_flags, f"--user-data-dir={profile_dir}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    return driver


@pytest.fixture
def browser(tmp_path):
    driver = chromium(tmp_path / "chromium-profile")
    yield driver
    driver.quit()


@pytest.fixture
def site(live_server, horde, db):
    import_references(actor=Actor(origin=AuditEvent.Origin.IMPORT, name="test"), legacy_dir=DEMO_DIR)
    role_grant_create(horde_user_id=REQUESTOR.user_id, role="requestor", granted_by="test")
    role_grant_create(horde_user_id=APPROVER.user_id, role="approver", granted_by="test")
    return live_server.url


def open_page(browser, url: str) -> str:
    browser.get(url)
    return browser.find_element(By.TAG_NAME, "body").text


def sign_in_with_key(browser, site: str, apikey: str) -> str:
    open_page(browser, f"{site}/admin/catalog/modelrecord/")
    assert browser.current_url.startswith(f"{site}/admin/login/")
    browser.find_element(By.ID, "id_apikey").send_keys(apikey)
    login_page = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, "#horde-login-form [type=submit]").click()
    WebDriverWait(browser, 10).until(page_left(login_page))  # else the login page's body may be read
    return browser.find_element(By.TAG_NAME, "body").text


def screenshot(browser, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / f"{name}.png"))

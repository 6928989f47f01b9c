"""In headless Chromium: sign in to the admin with an AI-Horde key, see what the role allows, lose it.

The live server runs in a thread of this process, so the fake AI-Horde (`responses`) answers its
find_user calls. Needs chromium and chromedriver (`make test` installs them with apt if missing).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from apps.accounts.models import RoleGrant
from apps.accounts.services import role_grant_create, role_grant_revoke
from apps.audit.models import AuditEvent
from apps.audit.services import Actor
from apps.catalog.imports import import_references
from apps.core.management.commands.bootstrap import DEMO_DIR
from tests.fake_horde import APPROVER, REQUESTOR, UNKNOWN_KEY

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
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

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(tmp_path):
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not binary or not driver_path:
        pytest.fail(
            "Headless Chromium is missing: apt-get install -y chromium chromium-driver (make test does)."
        )
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
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
    browser.find_element(By.CSS_SELECTOR, "#horde-login-form [type=submit]").click()
    return browser.find_element(By.TAG_NAME, "body").text


def screenshot(browser, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def test_a_requestor_sees_the_catalog_not_the_grants_and_loses_access_when_revoked(browser, site):
    assert "Sign in with AI-Horde API key" in open_page(browser, f"{site}/admin/")
    screenshot(browser, "admin-login")

    page = sign_in_with_key(browser, site, UNKNOWN_KEY)
    assert "AI-Horde does not recognise this API key." in page

    page = sign_in_with_key(browser, site, REQUESTOR.apikey)
    assert browser.current_url == f"{site}/admin/catalog/modelrecord/"  # back where they were going
    assert "WELCOME, REQUESTER#1001" in page.upper() and "Demo Realism" in page
    screenshot(browser, "admin-requestor-catalog")

    index = open_page(browser, f"{site}/admin/")
    assert "Model records" in index and "Audit events" in index
    assert "Role grants" not in index and "Users" not in index

    assert "403 Forbidden" in open_page(browser, f"{site}/admin/accounts/rolegrant/")

    role_grant_revoke(grant=RoleGrant.objects.get(horde_user_id=REQUESTOR.user_id), revoked_by="test")
    page = open_page(browser, f"{site}/admin/catalog/modelrecord/")
    assert browser.current_url.startswith(f"{site}/admin/login/")
    assert "Your role on this service was revoked; you have been signed out." in page
    screenshot(browser, "admin-requestor-revoked")


def test_an_approver_also_sees_the_role_grants(browser, site):
    sign_in_with_key(browser, site, APPROVER.apikey)
    index = open_page(browser, f"{site}/admin/")
    assert "Role grants" in index and "Model records" in index and "Users" not in index
    grants = open_page(browser, f"{site}/admin/accounts/rolegrant/")
    assert "1001" in grants and "2002" in grants
    assert "ADD ROLE GRANT" not in grants.upper()  # approvers may look, not grant
    screenshot(browser, "admin-approver-grants")

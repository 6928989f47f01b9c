"""In headless Chromium: sign in to the admin with an AI-Horde key, see what the role allows, lose it.

The `browser` and `site` fixtures and the page helpers are in tests/browser.py.
"""

from __future__ import annotations

import pytest

from apps.accounts.models import RoleGrant
from apps.accounts.services import role_grant_revoke
from tests.browser import open_page, screenshot, sign_in_with_key
from tests.fake_horde import APPROVER, REQUESTOR, UNKNOWN_KEY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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

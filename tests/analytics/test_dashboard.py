"""Who may open the curation dashboard, and what it shows before any AI-Horde snapshot."""

import pytest
from django.test import Client

from tests.fake_horde import READER, REQUESTOR

pytestmark = pytest.mark.django_db
DASHBOARD = "/admin/analytics/usagesnapshot/"


def signed_in(apikey):
    browser = Client()
    browser.post("/admin/login/horde/", {"apikey": apikey, "next": "/admin/"})
    return browser


def test_requestors_see_the_dashboard_others_do_not(demo_usage, grants):
    page = signed_in(REQUESTOR.apikey).get(DASHBOARD, {"category": "text_generation"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Curation dashboard: text_generation" in html
    assert (
        "No AI-Horde usage collected yet" in html
        and "Deletion risk needs the AI-Horde usage snapshot." in html
    )
    assert signed_in(READER.apikey).get(DASHBOARD).status_code == 302  # no role: no admin at all
    assert Client().get(DASHBOARD).status_code == 302


def test_an_unknown_category_or_preset_falls_back_to_the_defaults(demo_usage, grants):
    page = signed_in(REQUESTOR.apikey).get(DASHBOARD, {"category": "clip", "preset": "bogus"})
    assert "Curation dashboard: image_generation" in page.content.decode()

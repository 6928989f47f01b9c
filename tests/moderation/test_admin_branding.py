"""The admin is HMR's review desk, not "Django administration"."""

import pytest

from tests.moderation.desk import text

pytestmark = pytest.mark.django_db


def test_the_admin_is_branded_hmr(client, admin_client):
    login = client.get("/admin/login/").content.decode()
    assert "<title>Log in | HMR desk</title>" in login
    assert "HMR · Horde Model Reference" in text(login) and "Django administration" not in login
    index = admin_client.get("/admin/").content.decode()
    assert "<title>The review desk | HMR desk</title>" in index
    assert '<a href="/">View site</a>' in index  # the public catalog

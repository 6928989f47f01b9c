"""Moderation fixtures: a small catalog (the demo set), the roles, and an API client per persona."""

import pytest

from apps.catalog.imports import import_references
from apps.catalog.sources import DEMO_DIR
from tests.fake_horde import APPROVER, READER, REQUESTOR

V2 = "/api/model_references/v2"
Q = f"{V2}/pending_queue"


@pytest.fixture
def catalog(db, import_actor):
    report, _ = import_references(actor=import_actor, legacy_dir=DEMO_DIR)
    return report


class Api:
    def __init__(self, client, apikey: str | None) -> None:
        self.client = client
        self.headers = {"HTTP_APIKEY": apikey} if apikey else {}

    def get(self, path, params=None):
        return self.client.get(path, params, **self.headers)

    def post(self, path, body=None):
        return self.client.post(
            path, body if body is not None else {}, content_type="application/json", **self.headers
        )

    def put(self, path, body):
        return self.client.put(path, body, content_type="application/json", **self.headers)

    def delete(self, path):
        return self.client.delete(path, **self.headers)


@pytest.fixture
def requestor(client, horde, grants):
    return Api(client, REQUESTOR.apikey)


@pytest.fixture
def approver(client, horde, grants):
    return Api(client, APPROVER.apikey)


@pytest.fixture
def reader(client, horde, grants):
    return Api(client, READER.apikey)


@pytest.fixture
def anonymous(client, horde, grants):
    return Api(client, None)


def image_payload(name="Brand New", **overrides):
    payload = {
        "name": name,
        "baseline": "stable_diffusion_xl",
        "nsfw": False,
        "style": "anime",
        "description": "A new model.",
        "version": "1.0",
        "config": {
            "download": [
                {
                    "file_name": "brand_new.safetensors",
                    "file_url": "https://huggingface.co/x/brand_new.safetensors",
                    "sha256sum": "ab" * 32,
                }
            ]
        },
    }
    payload.update(overrides)
    return payload


def approve(approver, ids, title="Batch"):
    response = approver.post(f"{Q}/batches", {"batch_title": title, "approved_ids": ids})
    assert response.status_code == 200, response.json()
    return response.json()["batch_id"]


# --- The admin desk: Django test clients signed in with an AI-Horde key ---------------------------

ADMIN_QUEUE = "/admin/moderation/pendingchange/"
ADMIN_BATCHES = "/admin/moderation/reviewbatch/"
ADMIN_RECORDS = "/admin/catalog/modelrecord/"


def admin_signed_in(apikey: str):
    from django.test import Client

    browser = Client()
    response = browser.post("/admin/login/horde/", {"apikey": apikey, "next": "/admin/"})
    assert response.status_code == 302, response.content.decode()[:500]
    return browser


@pytest.fixture
def requestor_admin(horde, grants):
    return admin_signed_in(REQUESTOR.apikey)


@pytest.fixture
def approver_admin(horde, grants):
    return admin_signed_in(APPROVER.apikey)

"""The Atom feed of new models per category: `/api/model_references/v2/{category}/new_models.atom`."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from apps.catalog.categories import Category
from apps.catalog.imports import import_references
from apps.catalog.models import ModelRecord
from apps.catalog.sources import DEMO_DIR
from apps.moderation import services
from tests.moderation.conftest import image_payload
from tests.moderation.desk import BY_APPROVER, BY_REQUESTOR, approve_ids

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
V2 = "/api/model_references/v2"


def test_new_models_newest_first(client, import_actor):
    import_references(actor=import_actor, legacy_dir=DEMO_DIR)
    payload = image_payload("Brand New", description="Crisp anime portraits.")
    change = services.change_enqueue(
        proposal=services.Proposal(Category.IMAGE_GENERATION, "create", "Brand New", payload),
        actor=BY_REQUESTOR,
    )
    approve_ids(change)
    services.changes_apply(change_ids=[change.pk], job_id=None, actor=BY_APPROVER)

    response = client.get(f"{V2}/image_generation/new_models.atom")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(response.content)
    assert feed.find(f"{ATOM}title").text == "New image_generation models (Horde Model Reference)"
    entries = feed.findall(f"{ATOM}entry")
    imported = list(
        ModelRecord.objects.filter(category="image_generation")
        .exclude(name="Brand New")
        .values_list("name", flat=True)
    )
    assert entries[0].find(f"{ATOM}title").text == "Brand New"
    assert sorted(e.find(f"{ATOM}title").text for e in entries[1:]) == sorted(imported)
    newest = entries[0]
    assert (
        newest.find(f"{ATOM}link").get("href") == f"http://testserver{V2}/image_generation/model/Brand%20New"
    )
    assert (
        newest.find(f"{ATOM}summary").text
        == "Crisp anime portraits. — baseline: stable_diffusion_xl — style: anime"
    )
    assert newest.find(f"{ATOM}updated").text == "2026-01-02T03:04:05+00:00"
    assert newest.find(f"{ATOM}author/{ATOM}name").text == "App#2002"
    assert newest.find(f"{ATOM}category").get("term") == "api-v2"


@pytest.mark.parametrize("category", ["lora", "not_a_category"])
def test_no_feed_for_unknown_or_elsewhere_managed_categories(client, category):
    response = client.get(f"{V2}/{category}/new_models.atom")
    assert (response.status_code, response.json()) == (404, {"detail": "Not Found"})

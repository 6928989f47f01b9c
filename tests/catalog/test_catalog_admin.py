"""The read-only catalog admin, as a staff member sees it."""

import pytest
from django.contrib.auth import get_user_model

from apps.catalog.models import ModelRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    user = get_user_model().objects.create_superuser("root", "", "pw")
    client.force_login(user)
    return client


def test_list_per_category_shows_that_categorys_columns(imported, staff_client):
    page = staff_client.get(
        "/admin/catalog/modelrecord/",
        {"category__exact": "text_generation", "q": "anthracite-org/magnum-12b-v2"},
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert "anthracite-org/magnum-12b-v2" in body
    assert "12B" in body and "column-text_model_group" in body
    assert "\n1 model record\n" in body
    image = staff_client.get(
        "/admin/catalog/modelrecord/",
        {"category__exact": "image_generation", "baseline": "stable_diffusion_xl", "nsfw__exact": "1"},
    )
    assert image.status_code == 200 and "column-inpainting" in image.content.decode()
    expected = ModelRecord.objects.filter(
        category="image_generation", baseline="stable_diffusion_xl", nsfw=True
    )
    assert expected.count() > 1
    assert f"\n{expected.count()} model records\n" in image.content.decode()


def test_detail_shows_every_field_the_v2_and_legacy_views_and_downloads(imported, staff_client):
    record = ModelRecord.objects.get(category="controlnet", name="control_qr_xl")
    page = staff_client.get(f"/admin/catalog/modelrecord/{record.pk}/change/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "<th>controlnet_style</th><td>control_qr_xl</td>" in body
    assert "control_qr_sdxl" in body  # the legacy key
    assert "<th>legacy: download_all</th><td>true</td>" in body
    assert "control_v1p_sdxl_qrcode_monster.safetensors" in body
    assert "&quot;record_type&quot;: &quot;controlnet&quot;" in body
    assert 'name="_save"' not in body  # read-only: nothing to submit


def test_the_catalog_cannot_be_edited_directly(imported, staff_client):
    record = ModelRecord.objects.get(category="gfpgan")
    assert staff_client.get("/admin/catalog/modelrecord/add/").status_code == 403
    response = staff_client.post(f"/admin/catalog/modelrecord/{record.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert ModelRecord.objects.filter(pk=record.pk).exists()

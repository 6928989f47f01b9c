"""`manage.py bootstrap` (make run's setup): load data from a seed dir, GitHub, or the demo set."""

import re
from io import StringIO

import pytest
import requests
import responses
from django.contrib.auth import get_user_model
from django.core.management import call_command

from apps.catalog.categories import Repo, legacy_categories
from apps.catalog.models import CategoryMetadata, ModelRecord

pytestmark = pytest.mark.django_db
RAW = "https://raw.githubusercontent.com/"


def bootstrap() -> str:
    out = StringIO()
    call_command("bootstrap", stdout=out)
    return out.getvalue()


@responses.activate
def test_without_seed_dir_and_github_down_the_demo_set_is_loaded(settings):
    settings.HMR_SEED_DIR = ""
    responses.add(responses.GET, re.compile(RAW + ".*"), body=requests.ConnectionError("no route"))
    output = bootstrap()
    assert "Could not load the catalog from GitHub: GitHub is not reachable" in output
    assert "(a small demo set; set HMR_SEED_DIR to load real data)" in output
    counts = dict(
        ModelRecord.objects.values_list("category").annotate(n=__import__("django").db.models.Count("id"))
    )
    assert counts == {
        "blip": 2,
        "clip": 2,
        "codeformer": 1,
        "controlnet": 3,
        "esrgan": 2,
        "gfpgan": 1,
        "image_generation": 4,
        "miscellaneous": 1,
        "safety_checker": 1,
        "text_generation": 3,
    }
    assert CategoryMetadata.objects.count() == 15
    match = re.search(r"Admin account created: username 'admin', password (\S+)", output)
    assert match and get_user_model().objects.get(username="admin").check_password(match.group(1))


@responses.activate
def test_github_is_the_default_source(settings, legacy_dir):
    settings.HMR_SEED_DIR = ""
    for info in legacy_categories(Repo.IMAGE):
        responses.add(
            responses.GET,
            f"{RAW}Haidra-Org/AI-Horde-image-model-reference/refs/heads/main/{info.legacy_file}",
            body=(legacy_dir / "image" / info.legacy_file).read_bytes(),
        )
    for name in ("models.csv", "db.json"):
        responses.add(
            responses.GET,
            f"{RAW}Haidra-Org/AI-Horde-text-model-reference/refs/heads/main/{name}",
            body=(legacy_dir / "text" / name).read_bytes(),
        )
    output = bootstrap()
    assert "Loaded 913 records from github." in output
    assert ModelRecord.objects.count() == 913


def test_seed_dir_wins_and_a_second_run_does_not_import_again(settings, legacy_dir):
    settings.HMR_SEED_DIR = str(legacy_dir)
    settings.HMR_ADMIN_PASSWORD = "given-password"
    first = bootstrap()
    assert f"Loaded 913 records from {legacy_dir}." in first
    assert "Admin account created: username 'admin', password (from HMR_ADMIN_PASSWORD)" in first
    second = bootstrap()
    assert "Catalog already holds 913 records; not importing." in second
    assert "An admin account exists" in second
    assert get_user_model().objects.get(username="admin").check_password("given-password")

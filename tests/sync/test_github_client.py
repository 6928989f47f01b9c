"""GitHub credentials and the settings of the background work."""

import re

import jwt
import pytest
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from apps.catalog.categories import Repo
from apps.sync.github import git_blob_sha
from apps.sync.services.github_sync import repo_sync
from tests.core.test_settings import check

pytestmark = pytest.mark.django_db


def test_git_blob_ids_are_the_ones_git_computes():
    assert git_blob_sha(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"  # git hash-object


def test_github_app_credentials_get_an_installation_token(imported_image, github, settings, tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (tmp_path / "app.pem").write_bytes(pem)
    settings.HMR_GITHUB_TOKEN = ""
    settings.HMR_GITHUB_APP_ID = "123"
    settings.HMR_GITHUB_APP_INSTALLATION_ID = "456"
    settings.HMR_GITHUB_APP_PRIVATE_KEY = ""
    settings.HMR_GITHUB_APP_PRIVATE_KEY_PATH = str(tmp_path / "app.pem")
    token_url = re.compile(r"https://api\.github\.test(:443)?/app/installations/456/access_tokens")
    github.rsps.add(
        responses.POST,
        token_url,
        status=201,
        json={"token": "ghs_installation", "expires_at": "2099-01-01T00:00:00Z"},
    )

    assert repo_sync(repo=Repo.IMAGE).result == "identical"

    [token_call] = [c for c in github.rsps.calls if "/access_tokens" in c.request.url]
    claims = jwt.decode(
        token_call.request.headers["Authorization"].removeprefix("Bearer "),
        key.public_key(),
        algorithms=["RS256"],
    )
    assert claims["iss"] == "123"
    repo_calls = [c for c in github.rsps.calls if "/repos/" in c.request.url]
    assert repo_calls
    assert {c.request.headers["Authorization"] for c in repo_calls} == {"token ghs_installation"}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"HMR_SYNC_INTERVAL_MINUTES": "0"}, "HMR_SYNC_INTERVAL_MINUTES must be a positive integer, got 0."),
        (
            {"HMR_GITHUB_APP_ID": "12", "HMR_GITHUB_APP_INSTALLATION_ID": "34"},
            "HMR_GITHUB_APP_PRIVATE_KEY or HMR_GITHUB_APP_PRIVATE_KEY_PATH is required when HMR_GITHUB_APP_ID is set.",
        ),
        (
            {
                "HMR_GITHUB_APP_ID": "12",
                "HMR_GITHUB_APP_INSTALLATION_ID": "34",
                "HMR_GITHUB_APP_PRIVATE_KEY_PATH": "/nope.pem",
            },
            "HMR_GITHUB_APP_PRIVATE_KEY_PATH='/nope.pem' is not a readable file.",
        ),
        (
            {"CELERY_BROKER_URL": "kafka://x"},
            "CELERY_BROKER_URL=kafka://… is not supported: use redis:// or amqp://.",
        ),
        ({"HMR_REPLICA_GITHUB_FALLBACK": "maybe"}, "HMR_REPLICA_GITHUB_FALLBACK='maybe' is not a boolean"),
    ],
)
def test_invalid_background_settings_fail_at_start(env, message):
    result = check(**env)
    assert result.returncode != 0
    assert f"django.core.exceptions.ImproperlyConfigured: {message}" in result.stderr

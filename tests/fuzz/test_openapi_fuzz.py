"""A short, deterministic schemathesis run over every operation of `/api/openapi.json`.

The real catalog is imported, an approver's AI-Horde key is sent with every request (so the
operations behind a key are reached, not only refused), and the throttles are raised so the run
measures the API, not its rate limits. `make fuzz` runs the same with many more examples.
"""

import os
from pathlib import Path

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from tests.fake_horde import APPROVER
from tests.fuzz.runner import fuzz

pytestmark = pytest.mark.django_db

# An approver's key; and plain bodies (the in-process WSGI transport does not undo a gzip encoding).
HEADERS = {"apikey": APPROVER.apikey, "Accept-Encoding": "identity"}
V1 = "/api/model_references/v1"
V2 = "/api/model_references/v2"
EXAMPLES = int(os.environ.get("HMR_FUZZ_EXAMPLES", "3"))


@pytest.fixture
def unthrottled(settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {name: "100000/minute" for name in rates},
    }


@pytest.fixture
def connection_kept():
    """As Django's test client does: the WSGI handler would close the test's connection (and its
    transaction) after each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_every_operation_answers_as_documented(imported, horde, grants, unthrottled, connection_kept, client):
    report = fuzz(get_wsgi_application(), HEADERS, examples=EXAMPLES)
    summary = (
        f"fuzz: {report.operations} operations, {EXAMPLES} examples each at most, {report.requests} requests, "
        f"failures by check {dict(report.failures) or '{}'}, 503 from {len(report.unavailable)} operations\n"
        + "".join(f"  {line}\n" for line in report.examples)
    )
    if os.environ.get("HMR_FUZZ_REPORT"):
        Path(os.environ["HMR_FUZZ_REPORT"]).write_text(summary)
    assert report.operations > 100
    assert report.requests >= report.operations
    assert report.examples == [], "\n".join(report.examples)
    # This deployment is v2-canonical: v1 metadata answers 503 (upstream); nothing else does.
    v1_metadata = {
        p for p in client.get("/api/openapi.json").json()["paths"] if p.startswith(f"{V1}/metadata/")
    }
    assert report.unavailable == {f"GET {p}" for p in v1_metadata}


def test_a_nul_character_is_refused_before_postgresql_sees_it(imported, client, horde, grants):
    message = "Text values must not contain NUL (\\u0000) characters."
    for method, path, body, where in (
        ("get", f"{V2}/text_generation/search?q=a%00b", None, "query"),
        ("put", f"{V2}/text_generation/families/a%00b", {"members": []}, "path"),
        ("post", f"{V2}/pending_queue/purge", {"model_name": "a\u0000b", "dry_run": True}, "body"),
    ):
        kwargs = {"data": body, "content_type": "application/json"} if body is not None else {}
        response = getattr(client, method)(path, headers={"apikey": APPROVER.apikey}, **kwargs)
        assert (response.status_code, response.json()) == (
            422,
            {"detail": [{"type": "value_error", "loc": [where], "msg": message, "input": None}]},
        ), path

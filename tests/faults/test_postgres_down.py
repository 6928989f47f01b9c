"""PostgreSQL unreachable: HMR's production server keeps serving the public documents it has,
refuses writes, the queue and the admin with a clear 503, and recovers by itself when PostgreSQL
is back. A private PostgreSQL cluster is stopped and started; the server is one granian process."""

import re

import pytest
import requests
from django.conf import settings

from apps.core.database import DATABASE_UNAVAILABLE
from tests.fake_horde import APPROVER, REQUESTOR
from tests.faults.servers import (
    FakeHordeServer,
    PrivatePostgres,
    free_port,
    kill_server,
    manage,
    server_env,
    start_server,
)

V2 = "/api/model_references/v2"
PUBLIC = [
    f"{V2}/image_generation",
    f"{V2}/blip",
    "/api/model_references/v1/stable_diffusion",
    f"{V2}/text_generation/model/anthracite-org/magnum-12b-v2",
]


@pytest.fixture
def stack(legacy_dir):
    postgres, horde = PrivatePostgres(), FakeHordeServer()
    postgres.start()
    postgres.create_database()
    env = server_env(postgres.url, settings.CACHES["documents"]["LOCATION"], horde.url)
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "import_references", "--legacy", str(legacy_dir), "-v0")
    manage(env, "seed_roles")
    port = free_port()
    server = start_server(env, port)
    try:
        yield postgres, f"http://127.0.0.1:{port}"
    finally:
        kill_server(server)
        horde.close()
        postgres.remove()


def propose(base: str, name: str) -> requests.Response:
    return requests.post(
        f"{base}{V2}/blip/add",
        json={"name": name, "config": {"download": []}},
        headers={"apikey": REQUESTOR.apikey},
        timeout=10,
    )


def queue(base: str) -> requests.Response:
    return requests.get(f"{base}{V2}/pending_queue/changes", headers={"apikey": APPROVER.apikey}, timeout=10)


def admin_signed_in(base: str) -> requests.Session:
    """An approver signed in to the desk with their AI-Horde key (the session lives in PostgreSQL)."""
    session = requests.Session()
    form = session.get(f"{base}/admin/login/", timeout=10).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    signed_in = session.post(
        f"{base}/admin/login/horde/",
        data={"csrfmiddlewaretoken": token, "apikey": APPROVER.apikey},
        headers={"Referer": f"{base}/admin/login/"},
        timeout=10,
    )
    assert (signed_in.status_code, signed_in.url) == (200, f"{base}/admin/")
    return session


def test_public_reads_survive_postgres_and_the_rest_recovers(stack):
    postgres, base = stack
    before = {path: requests.get(f"{base}{path}", timeout=10) for path in PUBLIC}
    assert {path: r.status_code for path, r in before.items()} == dict.fromkeys(PUBLIC, 200)
    assert propose(base, "BEFORE_THE_FAULT").status_code == 202
    desk = admin_signed_in(base)

    postgres.stop()
    for path in PUBLIC:
        during = requests.get(f"{base}{path}", timeout=10)
        assert (during.status_code, during.content) == (200, before[path].content), path
        assert during.headers["ETag"] == before[path].headers["ETag"]
    refused = propose(base, "DURING_THE_FAULT")
    assert (refused.status_code, refused.json()) == (503, {"detail": DATABASE_UNAVAILABLE})
    assert refused.headers["Retry-After"] == "5"
    listed = queue(base)
    assert (listed.status_code, listed.json()) == (503, {"detail": DATABASE_UNAVAILABLE})
    admin = desk.get(f"{base}/admin/", timeout=10)
    assert admin.status_code == 503
    assert admin.headers["Content-Type"].startswith("text/html")
    assert DATABASE_UNAVAILABLE in admin.text
    assert "Traceback" not in admin.text

    postgres.start()  # the same server process, no restart
    assert propose(base, "AFTER_THE_FAULT").status_code == 202
    names = [c["model_name"] for c in queue(base).json()["items"]]
    assert sorted(names) == ["AFTER_THE_FAULT", "BEFORE_THE_FAULT"]
    assert desk.get(f"{base}/admin/", timeout=10).status_code == 200
    for path in PUBLIC:
        after = requests.get(f"{base}{path}", timeout=10)
        assert (after.status_code, after.content) == (200, before[path].content), path

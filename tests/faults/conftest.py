"""A private PostgreSQL cluster holding the real catalog, and HMR's production server on it (started
as often as a test needs: a test may kill one and start another)."""

from types import SimpleNamespace

import pytest
from django.conf import settings

from tests.faults.servers import (
    FakeHordeServer,
    PrivatePostgres,
    free_port,
    kill_server,
    manage,
    server_env,
    start_server,
)


@pytest.fixture(scope="module")
def catalog_stack(legacy_dir, tmp_path_factory):
    """One cluster per test module (its tests use records of their own and compare states they
    read themselves); each test starts the servers it needs."""
    postgres, horde = PrivatePostgres(), FakeHordeServer()
    postgres.start()
    postgres.create_database()
    redis_url = settings.CACHES["documents"]["LOCATION"]
    env = server_env(
        postgres.url, redis_url, horde.url, HMR_EXPORT_DIR=str(tmp_path_factory.mktemp("export"))
    )
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "import_references", "--legacy", str(legacy_dir), "-v0")
    manage(env, "seed_roles")
    servers = []

    def serve() -> str:
        port = free_port()
        servers.append(start_server(env, port))
        return f"http://127.0.0.1:{port}"

    try:
        yield SimpleNamespace(postgres=postgres, env=env, serve=serve, servers=servers)
    finally:
        for server in servers:
            kill_server(server)
        horde.close()
        postgres.remove()

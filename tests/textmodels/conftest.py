"""Text-model fixtures: the real catalog imported once per test module, and API clients per persona.

`real_catalog` imports the real legacy data inside a transaction that lives as long as the
module's tests; each test runs in a savepoint inside it (pytest-django's `db`), so what one test
writes never reaches the next, and the import's 1-2 s are paid once per module and worker.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from apps.audit.models import AuditEvent
from apps.audit.services import Actor
from apps.catalog.imports import import_references
from tests.moderation.conftest import (  # noqa: F401  (fixtures: API clients and admin sessions per persona)
    anonymous,
    approver,
    approver_admin,
    reader,
    requestor,
    requestor_admin,
)

V2 = "/api/model_references/v2"
T = f"{V2}/text_generation"


@pytest.fixture(scope="module")
def real_catalog(django_db_setup, django_db_blocker, legacy_dir):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            import_references(
                actor=Actor(origin=AuditEvent.Origin.IMPORT, name="test import"), legacy_dir=legacy_dir
            )
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def catalog(real_catalog, db):
    """The real catalog, for one test (its writes roll back)."""

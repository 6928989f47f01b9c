"""PostgreSQL unreachable: how the adapters recognise it (answered 503, never 500)."""

from __future__ import annotations

from django.db import InterfaceError, OperationalError

DATABASE_UNAVAILABLE = (
    "The database is unavailable; try again in a moment. Public documents are still served."
)
RETRY_AFTER_SECONDS = "5"


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether `exc` is the database being unreachable (connection refused, lost or closed)."""
    return isinstance(exc, OperationalError | InterfaceError)

"""PostgreSQL unreachable: how the adapters recognise it (answered 503, never 500)."""

from __future__ import annotations

from django.db import DataError, InterfaceError, OperationalError

DATABASE_UNAVAILABLE = (
    "The database is unavailable; try again in a moment. Public documents are still served."
)
RETRY_AFTER_SECONDS = "5"
NUL_REFUSED = "Text values must not contain NUL (\\u0000) characters."


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether `exc` is the database being unreachable (connection refused, lost or closed)."""
    return isinstance(exc, OperationalError | InterfaceError)


def value_refused(exc: BaseException | None) -> str | None:
    """What to tell a client whose input PostgreSQL cannot store (a NUL character in a text, a
    number out of range): answered 422 and nothing is written (the transaction rolls back)."""
    if not isinstance(exc, DataError):
        return None
    if "NUL" in str(exc):
        return NUL_REFUSED
    return "A value is out of the range this service accepts."

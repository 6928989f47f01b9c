"""The moderation fixtures (a small catalog, personas with API clients and admin sessions)."""

from tests.moderation.conftest import (  # noqa: F401  (fixtures)
    anonymous,
    approver,
    approver_admin,
    catalog,
    requestor,
    requestor_admin,
)

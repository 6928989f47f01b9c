"""Refusals of the identity layer, with upstream's statuses and messages (rendered by apps/api/errors.py)."""

from __future__ import annotations

from apps.core.errors import ApplicationError, Unavailable

AUTH_TIMED_OUT = "Auth service timed out"
AUTH_UNAVAILABLE = "Auth service unavailable"


class InvalidApiKey(ApplicationError):
    """401: the key is unknown to AI-Horde, or the role asked for has no holders at all (fail closed)."""

    def __init__(self) -> None:
        super().__init__("Invalid API key", status=401)


class RoleRequired(ApplicationError):
    """403: a valid key whose user does not hold the role."""

    def __init__(self, role: str) -> None:
        super().__init__(f"You are not on the pending queue {role} list.", status=403)


class AuthServiceUnavailable(Unavailable):
    """503: AI-Horde timed out or could not be reached; the key is neither accepted nor refused."""

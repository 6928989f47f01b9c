"""What the library raises. Every error is an `HMRClientError`; the lookup errors are also
`RuntimeError`s, as the replaced library raised RuntimeError for a missing category or model."""

from __future__ import annotations


class HMRClientError(Exception):
    """Base class of every error this library raises."""


class ReferenceUnavailable(HMRClientError, RuntimeError):
    """A category's document could not be had: the server did not answer it and no copy is cached."""

    def __init__(self, message: str, *, categories: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.categories = categories


class ModelNotFound(HMRClientError, LookupError, RuntimeError):
    """The category has no (valid) record of that name."""

    def __init__(self, category: str, name: str, reason: str = "") -> None:
        message = f"Model {name!r} not found in category {category!r}"
        super().__init__(f"{message}: {reason}" if reason else message)
        self.category = category
        self.name = name


class StrictModeError(HMRClientError, ValueError):
    """Strict mode: a record carries keys the record type does not declare (or is invalid)."""

    def __init__(self, category: str, name: str, problems: list[str]) -> None:
        super().__init__(f"{category} record {name!r} is refused in strict mode: " + "; ".join(problems))
        self.category = category
        self.name = name
        self.problems = problems


class ServerError(HMRClientError):
    """The server answered an unexpected status (the message is its `detail`, when it gave one)."""

    def __init__(self, status: int, detail: str, url: str) -> None:
        super().__init__(f"{status} from {url}: {detail}")
        self.status = status
        self.detail = detail
        self.url = url


class AuthError(ServerError):
    """401 or 403: the API key is missing, invalid, or lacks the role."""

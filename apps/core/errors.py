"""The one error type services raise; the API's exception handler maps it to `{"detail": ...}`."""


class ApplicationError(Exception):
    """A refusal a user can act on: a message and the HTTP status upstream answers with."""

    def __init__(self, message: str, *, status: int = 400, extra: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.extra = extra or {}


class NotFound(ApplicationError):
    def __init__(self, message: str) -> None:
        super().__init__(message, status=404)


class Conflict(ApplicationError):
    def __init__(self, message: str, *, extra: dict | None = None) -> None:
        super().__init__(message, status=409, extra=extra)


class Unavailable(ApplicationError):
    def __init__(self, message: str) -> None:
        super().__init__(message, status=503)


class TransientError(Exception):
    """An outside service failed in a way worth retrying later (network, 5xx, rate limit).

    Celery tasks retry these with backoff; everything else fails the run at once.
    """

"""The one source of "now", so tests can pin time without patching Django or datetime."""

from datetime import UTC, datetime

_frozen: datetime | None = None


def now() -> datetime:
    return _frozen if _frozen is not None else datetime.now(UTC)


def freeze(moment: datetime | None) -> None:
    """Pin `now()` to `moment` (None releases it). Used by tests and by replays."""
    global _frozen
    _frozen = moment


def unix(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())


def from_unix(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)

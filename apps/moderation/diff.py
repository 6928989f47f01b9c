"""Field-level diffs of records (upstream's PendingChangeDiff). Pure functions.

Paths are dot-joined and nested objects are recursed with keys sorted; lists are compared whole.
A diff is *critical* when it touches a field that changes what workers download or whom a model
is shown to (upstream §7): per category, plus any `config.download…` path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apps.catalog.categories import Category

_UTILITY_CRITICAL = frozenset({"style", "nsfw"})
CRITICAL_FIELDS: dict[Category, frozenset[str]] = {
    Category.IMAGE_GENERATION: frozenset({"baseline", "nsfw", "inpainting", "trigger", "homepage"}),
    Category.TEXT_GENERATION: frozenset({"baseline", "nsfw", "url", "parameters"}),
    **{
        c: _UTILITY_CRITICAL
        for c in (
            Category.CONTROLNET,
            Category.BLIP,
            Category.CLIP,
            Category.CODEFORMER,
            Category.ESRGAN,
            Category.GFPGAN,
            Category.SAFETY_CHECKER,
        )
    },
}
IGNORED_TOP_LEVEL = frozenset({"metadata"})  # bookkeeping, not content
_MISSING = object()


@dataclass(frozen=True)
class FieldDiff:
    field_path: str
    old_value: Any
    new_value: Any
    change_type: str  # added | removed | modified


def field_diffs(old: dict | None, new: dict | None) -> list[FieldDiff]:
    """Differences between two records (either may be None: nothing there)."""
    diffs: list[FieldDiff] = []
    _walk(_content(old), _content(new), "", diffs)
    return diffs


def _content(record: dict | None) -> dict:
    return {k: v for k, v in (record or {}).items() if k not in IGNORED_TOP_LEVEL}


def _walk(old: Any, new: Any, prefix: str, out: list[FieldDiff]) -> None:
    for key in sorted(set(old) | set(new)):
        path = f"{prefix}{key}"
        before, after = old.get(key, _MISSING), new.get(key, _MISSING)
        if isinstance(before, dict) and isinstance(after, dict):
            _walk(before, after, f"{path}.", out)
        elif before is _MISSING:
            out.append(FieldDiff(path, None, after, "added"))
        elif after is _MISSING:
            out.append(FieldDiff(path, before, None, "removed"))
        elif before != after:
            out.append(FieldDiff(path, before, after, "modified"))


def is_critical_path(category: Category, path: str) -> bool:
    fields = CRITICAL_FIELDS.get(category, frozenset())
    top = path.split(".", 1)[0]
    return top in fields or (bool(fields) and path.startswith("config.download"))


def net_operation(current: dict | None, proposed: dict | None, diffs: list[FieldDiff]) -> str:
    if current is None:
        return "added" if proposed is not None else "unchanged"
    if proposed is None:
        return "deleted"
    return "modified" if diffs else "unchanged"


@dataclass(frozen=True)
class ChangeDiff:
    """A proposed change against the live record (upstream's PendingChangeDiff)."""

    change_id: int
    category: str
    model_name: str
    operation: str
    current_state: dict | None
    proposed_state: dict | None  # the payload; for a delete, the snapshot of the record
    net_operation: str  # added | modified | deleted | unchanged
    field_diffs: list[FieldDiff]
    is_critical: bool

    def _paths(self, change_type: str) -> list[str]:
        return [d.field_path for d in self.field_diffs if d.change_type == change_type]

    @property
    def fields_added(self) -> list[str]:
        return self._paths("added")

    @property
    def fields_removed(self) -> list[str]:
        return self._paths("removed")

    @property
    def fields_modified(self) -> list[str]:
        return self._paths("modified")


def change_diff(
    *,
    change_id: int,
    category: Category,
    model_name: str,
    operation: str,
    current: dict | None,
    proposed: dict | None,
) -> ChangeDiff:
    """For a delete, `proposed` is the snapshot and the result is `deleted`."""
    target = None if operation == "delete" else proposed
    diffs = field_diffs(current, target)
    return ChangeDiff(
        change_id=change_id,
        category=category.value,
        model_name=model_name,
        operation=operation,
        current_state=current,
        proposed_state=proposed,
        net_operation=net_operation(current, target, diffs),
        field_diffs=diffs,
        is_critical=any(is_critical_path(category, d.field_path) for d in diffs),
    )

"""What changed between two versions of a legacy file: models added, removed, modified (and which
fields), and the pull request title, body and commit message that say so. Pure: no ORM, no I/O.

A legacy JSON file is `{key: record}` (`[]` when empty); `models.csv` is one row per model keyed by
its `name` column (a repeated name keeps its last row, as the import does; the export keeps every
row, so repeated rows are no difference). Field names are
dotted paths up to two levels deep (`config.download`), so a reviewer sees what moved without
reading the whole record.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass

MAX_NAMES = 100  # per section of a PR body; the rest is counted
MAX_BODY = 60_000  # GitHub refuses bodies over 65,536 characters
FIELD_DEPTH = 2
# A file generated from another one in the same repository: listing its models again says nothing.
DERIVED_FILES = {"db.json": "models.csv"}


@dataclass(frozen=True)
class ModelChange:
    name: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class FileDiff:
    path: str
    category: str | None = None
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    modified: tuple[ModelChange, ...] = ()
    note: str = ""

    @property
    def record_changes(self) -> int:
        return len(self.added) + len(self.removed) + len(self.modified)

    def summary(self) -> dict:
        """A JSON-able digest for the run log (names capped like the PR body)."""
        return {
            "category": self.category,
            "added": len(self.added),
            "removed": len(self.removed),
            "modified": len(self.modified),
            "names": {
                "added": list(self.added[:MAX_NAMES]),
                "removed": list(self.removed[:MAX_NAMES]),
                "modified": {c.name: list(c.fields) for c in self.modified[:MAX_NAMES]},
            },
            "note": self.note,
        }


def changed_fields(before: object, after: object, *, depth: int = FIELD_DEPTH, prefix: str = "") -> list[str]:
    """Dotted paths of the fields that differ, descending into objects up to `depth` levels."""
    if before == after:
        return []
    if depth == 0 or not isinstance(before, dict) or not isinstance(after, dict):
        return [prefix or "(value)"]
    fields = []
    for key in dict.fromkeys([*before, *after]):
        path = f"{prefix}.{key}" if prefix else str(key)
        if key not in before or key not in after:
            fields.append(path)
        else:
            fields.extend(changed_fields(before[key], after[key], depth=depth - 1, prefix=path))
    return fields


def records_diff(
    before: dict, after: dict
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[ModelChange, ...]]:
    """(added, removed, modified) keys between two `{name: record}` documents, in document order."""
    added = tuple(k for k in after if k not in before)
    removed = tuple(k for k in before if k not in after)
    modified = tuple(
        ModelChange(k, tuple(changed_fields(before[k], after[k])))
        for k in after
        if k in before and before[k] != after[k]
    )
    return added, removed, modified


def load_records(path: str, text: str) -> dict:
    """The records of a legacy file by name. Raises ValueError when the text is not such a file."""
    if path.endswith(".csv"):
        reader = csv.DictReader(io.StringIO(text, newline=""))
        if not reader.fieldnames or "name" not in reader.fieldnames:
            raise ValueError("no 'name' column")
        return {row["name"]: row for row in reader}
    document = json.loads(text)
    if document == []:
        return {}
    if not isinstance(document, dict):
        raise ValueError("the top level is not an object of records")
    return document


def file_diff(path: str, category: str | None, old: str | None, new: str) -> FileDiff:
    """The difference between the repository's file (`old`, None when absent) and the export."""
    if old is None:
        try:
            return FileDiff(path, category, added=tuple(load_records(path, new)), note="new file")
        except ValueError:
            return FileDiff(path, category, note="new file")
    try:
        added, removed, modified = records_diff(load_records(path, old), load_records(path, new))
    except ValueError as exc:
        return FileDiff(path, category, note=f"the repository's file is not readable as records ({exc})")
    note = "" if added or removed or modified else "formatting only: no model changed"
    return FileDiff(path, category, added, removed, modified, note)


def collapse_derived(diffs: list[FileDiff]) -> list[FileDiff]:
    """A generated file changed together with its source says only that it was regenerated."""
    changed = {d.path.rsplit("/", 1)[-1] for d in diffs}
    return [
        FileDiff(d.path, d.category, note=f"regenerated from {DERIVED_FILES[name]}")
        if (name := d.path.rsplit("/", 1)[-1]) in DERIVED_FILES and DERIVED_FILES[name] in changed
        else d
        for d in diffs
    ]


def totals(diffs: Iterable[FileDiff]) -> tuple[int, int, int]:
    diffs = list(diffs)
    return (
        sum(len(d.added) for d in diffs),
        sum(len(d.removed) for d in diffs),
        sum(len(d.modified) for d in diffs),
    )


def counts_text(diffs: Iterable[FileDiff]) -> str:
    added, removed, modified = totals(diffs)
    parts = [
        f"{n} {label}" for n, label in ((added, "added"), (removed, "removed"), (modified, "modified")) if n
    ]
    return ", ".join(parts) or "file formatting only"


def pr_title(diffs: list[FileDiff]) -> str:
    categories = sorted({d.category for d in diffs if d.category})
    where = categories[0] if len(categories) == 1 else f"{len(categories)} categories"
    return f"Sync {where} from HMR: {counts_text(diffs)}"


def _code(name: str) -> str:
    return "`" + name.replace("`", "'") + "`"


def _names(names: tuple[str, ...]) -> str:
    shown = ", ".join(_code(n) for n in names[:MAX_NAMES])
    return shown + (f" … and {len(names) - MAX_NAMES} more" if len(names) > MAX_NAMES else "")


def file_section(diff: FileDiff) -> list[str]:
    heading = _code(diff.path) + (f" ({diff.category})" if diff.category else "")
    lines = [f"### {heading}", ""]
    if diff.note:
        lines.append(diff.note[0].upper() + diff.note[1:] + ".")
    if diff.added:
        lines.append(f"- **Added ({len(diff.added)}):** {_names(diff.added)}")
    if diff.removed:
        lines.append(f"- **Removed ({len(diff.removed)}):** {_names(diff.removed)}")
    if diff.modified:
        lines.append(f"- **Modified ({len(diff.modified)}):**")
        for change in diff.modified[:MAX_NAMES]:
            lines.append(f"  - {_code(change.name)}: {', '.join(_code(f) for f in change.fields)}")
        if len(diff.modified) > MAX_NAMES:
            lines.append(f"  - … and {len(diff.modified) - MAX_NAMES} more")
    return [*lines, ""]


def pr_body(diffs: list[FileDiff], *, branch: str) -> str:
    """Markdown for reviewers. Deterministic (no dates), so an unchanged diff gives the same body."""
    lines = [
        "HMR's model reference differs from this repository. "
        "This pull request brings the legacy files in line with it.",
        "",
        f"**{counts_text(diffs)}** in {len(diffs)} file(s).",
        "",
    ]
    for diff in diffs:
        lines.extend(file_section(diff))
    footer = (
        "---\n"
        f"Maintained by HMR. While this pull request is open HMR updates it in place: branch `{branch}` is "
        "force-pushed when the reference changes, so commits pushed to it by hand are lost. "
        "When the repository matches the reference again, no pull request is opened."
    )
    body = "\n".join(lines)
    if len(body) + len(footer) > MAX_BODY:
        body = body[: MAX_BODY - len(footer) - 40].rsplit("\n", 1)[0] + "\n\n… (truncated)\n\n"
    return body + footer + "\n"


def commit_message(diffs: list[FileDiff]) -> str:
    lines = [pr_title(diffs), ""]
    for diff in diffs:
        detail = diff.note or (
            f"{len(diff.added)} added, {len(diff.removed)} removed, {len(diff.modified)} modified"
        )
        lines.append(f"{diff.path}: {detail}")
    return "\n".join(lines) + "\n"

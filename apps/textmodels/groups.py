"""What the text-model group page computes from the records of one group, and the name
utilities (compose, baselines). Pure functions: the records come in as `(name, data)` pairs in
file order (selectors.py reads them), the stores' answers as plain values; the results are
dataclasses the API's serializers and the admin render. The overviews of all groups (health,
summary, family suggestions) are in overview.py.

The rules are upstream's (docs: ../shared/docs/upstream-behaviour.md §5, §13):
- a group's members are the records whose stored `text_model_group` is the group's name; names
  with a backend prefix are backend duplicates (v2 stores none), the others canonical;
- `common_fields`: the fields of COMMON_FIELDS every canonical member has with one equal,
  non-null value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apps.catalog.formats.text_groups import NameFormat, infer_name_format, sorted_sizes
from apps.catalog.formats.text_names import (
    ParsedName,
    backend_prefix,
    group_parse_target,
    parse_text_model_name,
)

COMMON_FIELDS = ("baseline", "description", "url", "nsfw", "tags", "style", "instruct_format")
MEMBER_FIELDS = (
    "parameters",
    "baseline",
    "nsfw",
    "description",
    "url",
    "style",
    "tags",
    "display_name",
    "instruct_format",
)
GUIDANCE_STATUSES = ("published", "legacy_label", "undocumented")
DEFAULT_SCHEMA = {
    "separator": "-",
    "part_order": ["base", "size", "variant", "version", "quant"],
    "author_included": True,
    "common_author": None,
    "template": None,
    "extra_parts": [],
}

Member = tuple[str, dict]


@dataclass(frozen=True)
class MemberView:
    name: str
    parsed: ParsedName  # of the name without backend prefix and author
    fields: dict[str, Any]  # MEMBER_FIELDS from the record (None when absent)
    backend_prefix: str | None

    @property
    def is_backend_duplicate(self) -> bool:
        return self.backend_prefix is not None

    @property
    def guidance_status(self) -> str | None:
        """HMR keeps no guidance profiles: an instruct format is a legacy label, else undocumented."""
        if self.is_backend_duplicate:
            return None
        instruct = self.fields["instruct_format"]
        return "legacy_label" if isinstance(instruct, str) and instruct.strip() else "undocumented"


def member_view(name: str, data: dict) -> MemberView:
    return MemberView(
        name=name,
        parsed=parse_text_model_name(group_parse_target(name)),
        fields={f: data.get(f) for f in MEMBER_FIELDS},
        backend_prefix=backend_prefix(name),
    )


def canonical(members: list[Member]) -> list[Member]:
    return [(name, data) for name, data in members if backend_prefix(name) is None]


def common_fields(members: list[Member]) -> dict[str, Any]:
    """The COMMON_FIELDS all `members` share with one non-null value ("" and [] count)."""
    if not members:
        return {}
    common = {}
    for name in COMMON_FIELDS:
        values = [data.get(name) for _, data in members]
        if values[0] is not None and all(v == values[0] for v in values):
            common[name] = values[0]
    return common


def _distinct_with_null(values) -> list[str | None]:
    return sorted(set(values), key=lambda v: v or "")


def _usage(values) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        if value:
            counts[value] = counts.get(value, 0) + 1
    return counts


@dataclass(frozen=True)
class Family:
    family_name: str
    members: list[str]


@dataclass(frozen=True)
class NameException:
    """A member that keeps its name although the group's naming schema says otherwise."""

    name: str
    reason: str


@dataclass(frozen=True)
class GroupView:
    """Everything `GET group?name=` answers."""

    group_name: str
    members: list[MemberView]
    common_fields: dict[str, Any]
    available_sizes: list[str]
    available_variants: list[str | None]
    available_quants: list[str | None]
    available_versions: list[str | None]
    size_usage: dict[str, int]
    variant_usage: dict[str, int]
    quant_usage: dict[str, int]
    name_format: NameFormat
    canonical_count: int
    backend_duplicate_count: int
    name_schema_is_custom: bool
    exception_members: list[NameException]
    related_family: Family | None
    guidance_coverage: dict[str, int] = field(default_factory=dict)


def schema_format(schema: dict) -> NameFormat:
    """A stored naming schema as the group's name format (no template: "")."""
    return NameFormat(
        separator=schema["separator"],
        part_order=tuple(schema["part_order"]),
        author_included=schema["author_included"],
        common_author=schema["common_author"],
        template=schema["template"] or "",
        extra_parts=tuple(schema["extra_parts"]),
    )


def group_view(group: str, members: list[Member], *, schema: dict | None, family: Family | None) -> GroupView:
    """The group page of `group` (members: its records in file order, at least one)."""
    views = [member_view(name, data) for name, data in members]
    canonical_views = [v for v in views if not v.is_backend_duplicate]
    parsed = [v.parsed for v in canonical_views]
    canonical_members = canonical(members)
    name_format = (
        schema_format(schema) if schema else infer_name_format([name for name, _ in canonical_members])
    )
    statuses = [v.guidance_status for v in canonical_views]
    return GroupView(
        group_name=group,
        members=views,
        common_fields=common_fields(canonical_members),
        available_sizes=sorted_sizes(p.size for p in parsed if p.size),
        available_variants=_distinct_with_null(p.variant for p in parsed),
        available_quants=_distinct_with_null(p.quant for p in parsed),
        available_versions=_distinct_with_null(p.version for p in parsed),
        size_usage=_usage(p.size for p in parsed),
        variant_usage=_usage(p.variant for p in parsed),
        quant_usage=_usage(p.quant for p in parsed),
        name_format=name_format,
        canonical_count=len(canonical_views),
        backend_duplicate_count=len(views) - len(canonical_views),
        name_schema_is_custom=schema is not None,
        exception_members=[
            NameException(name, data["name_schema_exception"])
            for name, data in canonical_members
            if data.get("name_schema_exception")
        ],
        related_family=family,
        guidance_coverage={status: statuses.count(status) for status in GUIDANCE_STATUSES},
    )


def differing_fields(members: list[Member]) -> dict[str, list[tuple[Any, list[str]]]]:
    """The COMMON_FIELDS the canonical members do not share: each distinct value (None when
    absent) with the members that have it, in first-seen order."""
    canonical_members = canonical(members)
    shared = common_fields(canonical_members)
    differing: dict[str, list[tuple[Any, list[str]]]] = {}
    for name in (f for f in COMMON_FIELDS if f not in shared):
        values: list[tuple[Any, list[str]]] = []
        for member, data in canonical_members:
            value = data.get(name)
            holders = next((h for v, h in values if v == value), None)
            if holders is None:
                values.append((value, [member]))
            else:
                holders.append(member)
        differing[name] = values
    return differing


# --- names and baselines -----------------------------------------------------------------------


def distinct_baselines(records: list[Member]) -> list[str]:
    return sorted(
        {
            d["baseline"].strip()
            for _, d in records
            if isinstance(d.get("baseline"), str) and d["baseline"].strip()
        }
    )


def compose_name(
    *,
    base_name: str,
    size: str,
    author: str | None = None,
    variant: str | None = None,
    version: str | None = None,
    quant: str | None = None,
    separator: str | None = None,
    part_order: list[str] | None = None,
) -> str:
    """A name from its parts: `part_order` (unknown or absent parts skipped) or base, size,
    variant, version, quant; joined by `separator` ("-" when empty); `author/` in front."""
    parts = {"base": base_name, "size": size}
    parts.update({k: v for k, v in (("variant", variant), ("version", version), ("quant", quant)) if v})
    order = part_order or ["base", "size", "variant", "version", "quant"]
    name = (separator or "-").join(parts[p] for p in order if p in parts)
    return f"{author}/{name}" if author else name

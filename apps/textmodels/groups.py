"""What the text-model group routes compute from the records of a group. Pure functions: the
records come in as `(name, data)` pairs in file order (selectors.py reads them), the stores'
answers as plain values; the results are dataclasses the API's serializers and the admin render.

The rules are upstream's (docs: ../shared/docs/upstream-behaviour.md §5, §13):
- a group's members are the records whose stored `text_model_group` is the group's name; names
  with a backend prefix are backend duplicates (v2 stores none), the others canonical;
- `common_fields`: the fields of COMMON_FIELDS every canonical member has with one equal,
  non-null value;
- health: a singleton group, different baselines or NSFW flags, missing baselines or descriptions.
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
    strip_backend,
    text_model_group,
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


def shared_and_differing(members: list[Member]) -> tuple[dict[str, Any], list[str]]:
    """What the canonical members share (common_fields) and which of COMMON_FIELDS differ."""
    shared = common_fields(canonical(members))
    return shared, [f for f in COMMON_FIELDS if f not in shared]


# --- health -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HealthIssue:
    group_name: str
    issue_type: str
    message: str
    severity: str = "warning"


def health_issues(group: str, members: list[Member]) -> list[HealthIssue]:
    """Problems of a group's canonical `members`, in upstream's order."""
    issues = []
    if len(members) == 1:
        issues.append(
            HealthIssue(group, "singleton_group", "Group currently contains one canonical model", "info")
        )
    baselines = {d["baseline"] for _, d in members if isinstance(d.get("baseline"), str) and d["baseline"]}
    missing_baseline = sum(
        1 for _, d in members if not (isinstance(d.get("baseline"), str) and d["baseline"])
    )
    nsfw = {d["nsfw"] for _, d in members if isinstance(d.get("nsfw"), bool)}
    missing_description = sum(1 for _, d in members if not d.get("description"))
    if len(baselines) > 1:
        issues.append(
            HealthIssue(
                group,
                "inconsistent_baseline",
                f"Members have different baselines: {', '.join(sorted(baselines))}",
            )
        )
    if len(nsfw) > 1:
        issues.append(HealthIssue(group, "inconsistent_nsfw", "Members have different NSFW flags"))
    if missing_baseline:
        issues.append(
            HealthIssue(group, "missing_baseline", f"{missing_baseline} member(s) missing baseline")
        )
    if missing_description:
        issues.append(
            HealthIssue(
                group, "missing_description", f"{missing_description} member(s) missing description", "info"
            )
        )
    return issues


def buckets(records: list[Member]) -> dict[str, list[Member]]:
    """Records by their stored non-empty `text_model_group`, groups sorted by name (code points)."""
    found: dict[str, list[Member]] = {}
    for name, data in records:
        group = data.get("text_model_group")
        if isinstance(group, str) and group:
            found.setdefault(group, []).append((name, data))
    return dict(sorted(found.items()))


@dataclass(frozen=True)
class Health:
    issues: list[HealthIssue]
    total_groups_checked: int
    groups_with_issues: int
    issue_counts_by_type: dict[str, int]


def groups_health(records: list[Member]) -> Health:
    issues, with_issues = [], 0
    grouped = buckets(records)
    for group, members in grouped.items():
        found = health_issues(group, canonical(members))
        with_issues += bool(found)
        issues += found
    counts: dict[str, int] = {}
    for issue in issues:
        counts[issue.issue_type] = counts.get(issue.issue_type, 0) + 1
    return Health(issues, len(grouped), with_issues, counts)


# --- the overview -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupSummary:
    group_name: str
    canonical_count: int
    backend_duplicate_count: int
    has_custom_schema: bool
    family_name: str | None
    alias_canonical: str | None
    aliases: list[str]
    available_sizes: list[str]
    health_issues: list[HealthIssue]


@dataclass(frozen=True)
class Stores:
    """What the stores say about groups (empty on a REPLICA, which has no stores)."""

    aliases: dict[str, list[str]] = field(default_factory=dict)  # canonical -> its aliases
    families: dict[str, str] = field(default_factory=dict)  # group -> its family
    schemas: frozenset[str] = frozenset()  # groups with a stored naming schema

    @property
    def alias_owners(self) -> dict[str, str]:
        return {alias: canonical for canonical, aliases in self.aliases.items() for alias in aliases}

    def resolve(self, name: str, owners: dict[str, str] | None = None) -> str:
        """The canonical group `name` is an alias of (one step), or `name`."""
        return (self.alias_owners if owners is None else owners).get(name, name)

    def has_schema(self, group: str, owners: dict[str, str] | None = None) -> bool:
        return group in self.schemas or self.resolve(group, owners) in self.schemas


@dataclass(frozen=True)
class GroupsOverview:
    groups: list[GroupSummary]
    total_models: int

    @property
    def groups_with_families(self) -> int:
        return sum(1 for g in self.groups if g.family_name)

    @property
    def groups_with_aliases(self) -> int:
        return sum(1 for g in self.groups if g.alias_canonical or g.aliases)

    @property
    def groups_with_issues(self) -> int:
        return sum(1 for g in self.groups if g.health_issues)


def groups_overview(records: list[Member], stores: Stores) -> GroupsOverview:
    """`groups/summary`: every group with its counts, store links, sizes and health."""
    summaries, total, owners = [], 0, stores.alias_owners
    for group, members in buckets(records).items():
        canonical_members = canonical(members)
        total += len(members)
        resolved = stores.resolve(group, owners)
        summaries.append(
            GroupSummary(
                group_name=group,
                canonical_count=len(canonical_members),
                backend_duplicate_count=len(members) - len(canonical_members),
                has_custom_schema=stores.has_schema(group, owners),
                family_name=stores.families.get(group),
                alias_canonical=resolved if resolved != group else None,
                aliases=list(stores.aliases.get(group) or []) if resolved == group else [],
                available_sizes=sorted_sizes(
                    s
                    for s in (parse_text_model_name(strip_backend(n)).size for n, _ in canonical_members)
                    if s
                ),
                health_issues=health_issues(group, canonical_members),
            )
        )
    return GroupsOverview(summaries, total)


# --- names, baselines, families -----------------------------------------------------------------


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


@dataclass(frozen=True)
class FamilySuggestions:
    suggestions: list[Family]
    total_groups_analyzed: int

    @property
    def groups_in_families(self) -> int:
        return sum(len(f.members) for f in self.suggestions)

    @property
    def standalone_groups(self) -> int:
        return self.total_groups_analyzed - self.groups_in_families


def families_detect(
    names: list[str], stores: Stores, *, min_prefix_length: int = 3, min_family_size: int = 2
) -> FamilySuggestions:
    """Family suggestions from shared "-"-prefixes of the group names of `names` (record names):
    the longest prefix shared by enough unclaimed groups claims them."""
    owners = stores.alias_owners
    groups = sorted({stores.resolve(text_model_group(n), owners) for n in names})
    by_prefix: dict[str, set[str]] = {}
    for group in groups:
        parts = group.split("-")
        for depth in range(len(parts) - 1, 0, -1):
            prefix = "-".join(parts[:depth])
            if len(prefix) >= min_prefix_length:
                by_prefix.setdefault(prefix, set()).add(group)
    claimed: set[str] = set()
    found = {}
    for prefix in sorted(by_prefix, key=len, reverse=True):
        unclaimed = sorted(by_prefix[prefix] - claimed)
        if len(unclaimed) >= min_family_size:
            found[prefix] = unclaimed
            claimed.update(unclaimed)
    return FamilySuggestions([Family(p, m) for p, m in sorted(found.items())], len(groups))

"""The overviews of all text model groups: health, the summary with the stores' links, and
family suggestions from shared name prefixes. Pure functions over `(name, data)` records in
file order (selectors.py reads them) and a snapshot of the stores (`Stores`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from apps.catalog.formats.text_groups import sorted_sizes
from apps.catalog.formats.text_names import parse_text_model_name, strip_backend, text_model_group
from apps.textmodels.groups import Family, Member, canonical

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
    available_quants: list[str] = field(default_factory=list)  # the admin shows them; not upstream's


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
        parsed = [parse_text_model_name(strip_backend(n)) for n, _ in canonical_members]
        summaries.append(
            GroupSummary(
                group_name=group,
                canonical_count=len(canonical_members),
                backend_duplicate_count=len(members) - len(canonical_members),
                has_custom_schema=stores.has_schema(group, owners),
                family_name=stores.families.get(group),
                alias_canonical=resolved if resolved != group else None,
                aliases=list(stores.aliases.get(group) or []) if resolved == group else [],
                available_sizes=sorted_sizes(p.size for p in parsed if p.size),
                health_issues=health_issues(group, canonical_members),
                available_quants=sorted({p.quant for p in parsed if p.quant}),
            )
        )
    return GroupsOverview(summaries, total)


# --- family suggestions --------------------------------------------------------------------------


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

"""Reads of the text-model toolkit: the stores (aliases, families, naming schemas) and the group
views over the catalog's text records (computed by the pure `groups.py`).

A REPLICA has no stores (upstream keeps them on the PRIMARY only): the API passes
`stores=False` there, and the reads answer as if the stores were empty.
"""

from __future__ import annotations

from dataclasses import dataclass

from apps.audit.models import AuditEvent
from apps.catalog import selectors as catalog
from apps.catalog.categories import Category
from apps.catalog.formats.text_names import ParsedName, parse_text_model_name, text_model_group
from apps.textmodels import groups, overview
from apps.textmodels.models import AliasEntry, Family, FamilyMember, GroupAlias, GroupNameSchema

TEXT = Category.TEXT_GENERATION


@dataclass(frozen=True)
class AliasEntryView:
    canonical: str
    aliases: list[str]


# --- aliases ------------------------------------------------------------------------------------


def alias_entries() -> list[AliasEntryView]:
    """Every alias entry, by canonical name (code points), aliases in their order."""
    aliases: dict[int, list[str]] = {}
    for entry_id, alias in GroupAlias.objects.order_by("entry_id", "position").values_list(
        "entry_id", "alias"
    ):
        aliases.setdefault(entry_id, []).append(alias)
    entries = [
        AliasEntryView(c, aliases.get(i, [])) for i, c in AliasEntry.objects.values_list("id", "canonical")
    ]
    return sorted(entries, key=lambda e: e.canonical)


def alias_entry(canonical: str) -> AliasEntryView | None:
    entry = AliasEntry.objects.filter(canonical=canonical).first()
    if entry is None:
        return None
    return AliasEntryView(
        entry.canonical, list(entry.alias_rows.order_by("position").values_list("alias", flat=True))
    )


def alias_owner(alias: str) -> str | None:
    """The canonical group that lists `alias`, if any."""
    return GroupAlias.objects.filter(alias=alias).values_list("entry__canonical", flat=True).first()


def alias_resolve(name: str) -> str:
    """The canonical group `name` is an alias of (one step), or `name` itself."""
    return alias_owner(name) or name


# --- families -----------------------------------------------------------------------------------


def _family(family: Family) -> groups.Family:
    return groups.Family(family.name, sorted(family.member_rows.values_list("group_name", flat=True)))


def families() -> list[groups.Family]:
    members: dict[str, list[str]] = {}
    for name, member in FamilyMember.objects.values_list("family__name", "group_name"):
        members.setdefault(name, []).append(member)
    names = Family.objects.values_list("name", flat=True)
    return [groups.Family(n, sorted(members.get(n, []))) for n in sorted(names)]


def family_get(name: str) -> groups.Family | None:
    family = Family.objects.filter(name=name).first()
    return None if family is None else _family(family)


def family_of(group: str) -> groups.Family | None:
    member = FamilyMember.objects.select_related("family").filter(group_name=group).first()
    return None if member is None else _family(member.family)


# --- naming schemas -----------------------------------------------------------------------------


def _schema(row: GroupNameSchema) -> dict:
    return {
        "separator": row.separator,
        "part_order": list(row.part_order),
        "author_included": row.author_included,
        "common_author": row.common_author,
        "template": row.template,
        "extra_parts": list(row.extra_parts),
    }


def name_schema_stored(group: str) -> dict | None:
    """The schema stored under exactly this name."""
    row = GroupNameSchema.objects.filter(group_name=group).first()
    return None if row is None else _schema(row)


def name_schema(group: str) -> dict | None:
    """The group's stored schema, else its canonical group's when the name is an alias."""
    schema = name_schema_stored(group)
    if schema is None and (canonical := alias_owner(group)) is not None:
        schema = name_schema_stored(canonical)
    return schema


def stores_snapshot() -> overview.Stores:
    aliases = {e.canonical: e.aliases for e in alias_entries()}
    families_by_group = dict(FamilyMember.objects.values_list("group_name", "family__name"))
    schemas = frozenset(GroupNameSchema.objects.values_list("group_name", flat=True))
    return overview.Stores(aliases=aliases, families=families_by_group, schemas=schemas)


# --- the group views ----------------------------------------------------------------------------


def text_records() -> list[groups.Member]:
    return catalog.records_data(TEXT)


def group_members(group: str) -> list[groups.Member]:
    """The records whose stored group is `group`, in file order."""
    return catalog.records_data(TEXT, text_model_group=group)


def group_names() -> list[str]:
    return list(overview.buckets(text_records()))


def group_view(group: str, *, stores: bool) -> groups.GroupView | None:
    """The group page, or None when no record is in the group."""
    members = group_members(group)
    if not members:
        return None
    return groups.group_view(
        group,
        members,
        schema=name_schema(group) if stores else None,
        family=family_of(group) if stores else None,
    )


def groups_overview(*, stores: bool) -> overview.GroupsOverview:
    return overview.groups_overview(text_records(), stores_snapshot() if stores else overview.Stores())


def groups_health() -> overview.Health:
    return overview.groups_health(text_records())


def families_detect(
    *, stores: bool, min_prefix_length: int, min_family_size: int
) -> overview.FamilySuggestions:
    names = [name for name, _ in text_records()]
    return overview.families_detect(
        names,
        stores_snapshot() if stores else overview.Stores(),
        min_prefix_length=min_prefix_length,
        min_family_size=min_family_size,
    )


def distinct_baselines() -> list[str]:
    return groups.distinct_baselines(text_records())


@dataclass(frozen=True)
class ParsedNameView:
    parsed: ParsedName
    suggested_group: str


def name_parse(name: str, *, stores: bool) -> ParsedNameView:
    """The name's parts as written, and its group (resolved through the aliases on a PRIMARY)."""
    group = text_model_group(name)
    return ParsedNameView(parse_text_model_name(name), alias_resolve(group) if stores else group)


@dataclass(frozen=True)
class ComposedName:
    composed_name: str
    already_exists: bool
    suggested_group: str


def name_compose(**parts) -> ComposedName:
    """`groups.compose_name(**parts)`, whether a record has that name, and its group (no aliases)."""
    name = groups.compose_name(**parts)
    return ComposedName(name, catalog.record_exists(TEXT, name), text_model_group(name))


def record_ids(names: list[str]) -> dict[str, int]:
    return catalog.record_ids(TEXT, names)


@dataclass(frozen=True)
class StoreRows:
    """The store rows that concern a group (for the admin's links): ids, or None."""

    alias_entry: int | None
    family: int | None
    name_schema: int | None


def store_rows(group: str) -> StoreRows:
    member = FamilyMember.objects.filter(group_name=group).values_list("family_id", flat=True).first()
    return StoreRows(
        AliasEntry.objects.filter(canonical=group).values_list("id", flat=True).first(),
        member,
        GroupNameSchema.objects.filter(group_name=group).values_list("id", flat=True).first(),
    )


def store_history(category: str, name: str, *, limit: int = 30) -> list[AuditEvent]:
    """The audit events of one store entry (services.ALIASES, FAMILIES or SCHEMAS), newest first."""
    return list(AuditEvent.objects.filter(category=category, model_name=name).order_by("-id")[:limit])

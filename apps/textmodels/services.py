"""Writes to the text-model stores. Each service is one transaction with its audit event inside
(category `text_group_aliases`, `text_group_families` or `text_group_schemas`, the entry's name,
the entry before and after), and raises `ApplicationError` with upstream's status and message.

Upstream writes these stores directly (not through the review queue) and audits nothing; HMR
keeps them direct (they change no record) and audits every change. A call that changes nothing
(adding an alias already listed) writes nothing and leaves no event.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from apps.audit.models import AuditEvent
from apps.audit.services import Actor, audit_events_save, record_event
from apps.core import clock
from apps.core.errors import ApplicationError, Conflict, NotFound
from apps.textmodels import selectors
from apps.textmodels.groups import DEFAULT_SCHEMA, Family
from apps.textmodels.models import AliasEntry, FamilyMember, GroupAlias, GroupNameSchema
from apps.textmodels.models import Family as FamilyRow
from apps.textmodels.selectors import AliasEntryView

ALIASES, FAMILIES, SCHEMAS = "text_group_aliases", "text_group_families", "text_group_schemas"
Op = AuditEvent.Operation


def _audit(actor: Actor, category: str, name: str, before: dict | None, after: dict | None) -> None:
    operation = Op.CREATE if before is None else Op.DELETE if after is None else Op.UPDATE
    audit_events_save(
        [
            record_event(
                actor=actor, category=category, name=name, operation=operation, before=before, after=after
            )
        ]
    )


# --- aliases ------------------------------------------------------------------------------------


def _alias_state(entry: AliasEntryView | None) -> dict | None:
    return None if entry is None else {"canonical": entry.canonical, "aliases": entry.aliases}


def _owned_elsewhere(canonical: str, alias: str) -> None:
    owner = selectors.alias_owner(alias)
    if owner is not None and owner != canonical:
        raise Conflict(f"Alias {alias!r} is already registered under canonical group {owner!r}")


def _aliases_write(canonical: str, aliases: list[str], actor: Actor) -> AliasEntryView:
    """Replace the entry's aliases (creating the entry), audited; inside the caller's transaction."""
    now = clock.now()
    entry, created = AliasEntry.objects.select_for_update().get_or_create(
        canonical=canonical, defaults={"created_at": now, "updated_at": now}
    )
    before = None if created else _alias_state(selectors.alias_entry(canonical))
    entry.alias_rows.all().delete()
    try:
        with transaction.atomic():  # a concurrent writer may have taken an alias meanwhile
            GroupAlias.objects.bulk_create(
                GroupAlias(entry=entry, alias=alias, position=i) for i, alias in enumerate(aliases)
            )
    except IntegrityError:
        for alias in aliases:
            _owned_elsewhere(canonical, alias)
        raise
    entry.updated_at = now
    entry.save(update_fields=["updated_at"])
    after = AliasEntryView(canonical, list(aliases))
    _audit(actor, ALIASES, canonical, before, _alias_state(after))
    return after


def alias_entry_set(*, canonical: str, aliases: list[str], actor: Actor) -> AliasEntryView:
    """Replace the aliases of `canonical` (an empty list keeps an empty entry). 409 when the list
    holds the canonical itself or an alias another canonical owns; nothing changes then. Repeated
    aliases count once (upstream stores them twice)."""
    aliases = list(dict.fromkeys(aliases))
    for alias in aliases:
        if alias == canonical:
            raise Conflict(f"Canonical name {canonical!r} cannot be its own alias")
        _owned_elsewhere(canonical, alias)
    with transaction.atomic():
        return _aliases_write(canonical, aliases, actor)


def alias_add(*, canonical: str, alias: str, actor: Actor) -> AliasEntryView:
    """Append `alias` to the entry of `canonical` (created when missing); already there: no-op."""
    if alias == canonical:
        raise Conflict(f"Cannot alias {canonical!r} to itself")
    _owned_elsewhere(canonical, alias)
    with transaction.atomic():
        current = selectors.alias_entry(canonical)
        if current is not None and alias in current.aliases:
            return current
        return _aliases_write(canonical, [*(current.aliases if current else []), alias], actor)


def alias_remove(*, canonical: str, alias: str, actor: Actor) -> AliasEntryView:
    """Take `alias` out of the entry; the last one out deletes the entry. 404 when it is not there."""
    with transaction.atomic():
        current = selectors.alias_entry(canonical)
        if current is None or alias not in current.aliases:
            raise NotFound(f"Alias '{alias}' not found under canonical group '{canonical}'")
        left = [a for a in current.aliases if a != alias]
        if left:
            return _aliases_write(canonical, left, actor)
        AliasEntry.objects.filter(canonical=canonical).delete()
        _audit(actor, ALIASES, canonical, _alias_state(current), None)
        return AliasEntryView(canonical, [])


def alias_entry_delete(*, canonical: str, actor: Actor) -> None:
    with transaction.atomic():
        current = selectors.alias_entry(canonical)
        if current is None:
            raise NotFound(f"No alias entry for canonical group '{canonical}'")
        AliasEntry.objects.filter(canonical=canonical).delete()
        _audit(actor, ALIASES, canonical, _alias_state(current), None)


# --- families -----------------------------------------------------------------------------------


def _family_state(family: Family | None) -> dict | None:
    return None if family is None else {"family_name": family.family_name, "members": family.members}


def _family_write(name: str, members: list[str], actor: Actor) -> Family:
    now = clock.now()
    family, created = FamilyRow.objects.select_for_update().get_or_create(
        name=name, defaults={"created_at": now, "updated_at": now}
    )
    before = None if created else _family_state(selectors.family_get(name))
    family.member_rows.all().delete()
    try:
        with transaction.atomic():
            FamilyMember.objects.bulk_create(FamilyMember(family=family, group_name=g) for g in members)
    except IntegrityError:
        raise Conflict(f"A group of {members} joined another family meanwhile; try again.") from None
    family.updated_at = now
    family.save(update_fields=["updated_at"])
    after = Family(name, sorted(members))
    _audit(actor, FAMILIES, name, before, _family_state(after))
    return after


def family_set(*, name: str, members: list[str], actor: Actor) -> Family:
    """Create or replace the family `name`; members dropped are released. 422 for no members, 409
    for a member of another family (upstream answers 409 for both)."""
    if not members:
        raise ApplicationError("A family must have at least one member group.", status=422)
    for group in members:
        owner = selectors.family_of(group)
        if owner is not None and owner.family_name != name:
            raise Conflict(
                f"Group '{group}' already belongs to family '{owner.family_name}'. "
                "Remove it from that family first."
            )
    with transaction.atomic():
        return _family_write(name, sorted(set(members)), actor)


def family_member_add(*, name: str, group: str, actor: Actor) -> Family:
    with transaction.atomic():
        family = selectors.family_get(name)
        if family is None:
            raise NotFound(f"Family '{name}' does not exist.")
        owner = selectors.family_of(group)
        if owner is not None and owner.family_name != name:
            raise Conflict(f"Group '{group}' already belongs to family '{owner.family_name}'.")
        if group in family.members:
            return family
        return _family_write(name, sorted({*family.members, group}), actor)


def family_member_remove(*, name: str, group: str, actor: Actor) -> Family:
    """Take `group` out of the family; the last one out deletes the family."""
    with transaction.atomic():
        family = selectors.family_get(name)
        if family is None or group not in family.members:
            raise NotFound(f"Group '{group}' not found in family '{name}'")
        left = [m for m in family.members if m != group]
        if left:
            return _family_write(name, left, actor)
        FamilyRow.objects.filter(name=name).delete()
        _audit(actor, FAMILIES, name, _family_state(family), None)
        return Family(name, [])


def family_delete(*, name: str, actor: Actor) -> None:
    with transaction.atomic():
        family = selectors.family_get(name)
        if family is None:
            raise NotFound(f"Family '{name}' not found")
        FamilyRow.objects.filter(name=name).delete()
        _audit(actor, FAMILIES, name, _family_state(family), None)


# --- naming schemas -----------------------------------------------------------------------------


def name_schema_set(*, group: str, changes: dict, actor: Actor) -> dict:
    """Store a naming schema for `group`: `changes` (the fields given) over its current schema (the
    alias's canonical one when the name is an alias) or the defaults. Any name is accepted."""
    unknown = sorted(set(changes) - set(DEFAULT_SCHEMA))
    if unknown:
        raise ApplicationError(f"Unknown naming schema fields: {unknown}", status=422)
    with transaction.atomic():
        before = selectors.name_schema_stored(group)
        merged = {**(selectors.name_schema(group) or DEFAULT_SCHEMA), **changes}
        GroupNameSchema.objects.update_or_create(
            group_name=group, defaults={**merged, "updated_at": clock.now()}
        )
        _audit(actor, SCHEMAS, group, before, merged)
    return merged


def name_schema_delete(*, group: str, actor: Actor) -> None:
    with transaction.atomic():
        before = selectors.name_schema_stored(group)
        if before is None:
            raise NotFound(f"No custom naming schema found for group '{group}'")
        GroupNameSchema.objects.filter(group_name=group).delete()
        _audit(actor, SCHEMAS, group, before, None)

"""Proposals from the text-model toolkit: a field set on every member of a group (one proposed
batch titled after the group), and a member's naming-schema exception (one update). Both are
ordinary queued updates: reviewed, then applied against the version they were proposed on."""

from __future__ import annotations

from apps.audit.services import Actor
from apps.catalog.categories import Category
from apps.catalog.models import ModelRecord
from apps.core.errors import ApplicationError, NotFound
from apps.moderation.models import PendingChange
from apps.moderation.selectors import record_state
from apps.moderation.services.enqueue import (
    TITLE_LENGTH,
    Proposal,
    ProposedBatch,
    change_enqueue,
    changes_propose_batch,
)
from apps.textmodels.groups import COMMON_FIELDS, canonical
from apps.textmodels.selectors import group_members

TEXT = Category.TEXT_GENERATION
Op = PendingChange.Operation


def group_batch_title(group: str, fields) -> str:
    title = f"Group '{group}': {', '.join(fields)} for every member"
    return title if len(title) <= TITLE_LENGTH else f"{title[: TITLE_LENGTH - 1]}…"


def group_common_fields_proposals(*, group: str, fields: dict, origin: str = "api-v2") -> list[Proposal]:
    """One update per canonical member of `group` (file order): its live record with `fields`
    (of COMMON_FIELDS) replacing the old values. 404 when no record is in the group (or none
    without a backend prefix); 400 when `fields` is empty. Writes nothing."""
    members = group_members(group)
    if not members:
        raise NotFound(f"No models found in group '{group}'")
    names = [name for name, _ in canonical(members)]
    if not names:
        raise NotFound(f"No canonical models found in group '{group}'")
    if not fields:
        raise ApplicationError("No fields to update. Provide at least one field.")
    unknown = sorted(set(fields) - set(COMMON_FIELDS))
    if unknown:
        raise ApplicationError(f"Not a field a group's members share: {unknown}", status=422)
    records = {r.name: r for r in ModelRecord.objects.filter(category=TEXT.value, name__in=names)}
    return [
        Proposal(
            category=TEXT,
            operation=Op.UPDATE,
            name=name,
            payload={**record_state(records[name], PendingChange.Format.V2), **fields},
            origin=origin,
            notes=f"Batch group update for '{group}'",
            request_metadata={"route": "update_group_common_fields"},
        )
        for name in names
    ]


def group_common_fields_propose(
    *, group: str, fields: dict, actor: Actor, origin: str = "api-v2", title: str | None = None
) -> ProposedBatch:
    """Propose `fields` for every canonical member of `group` as one proposed batch (titled after
    the group unless `title` is given): one pending update per member, each against the member's
    current version. Refuses what `group_common_fields_proposals` and `change_enqueue` refuse. A
    payload is validated as any text update (text writes add the style and size tags)."""
    proposals = group_common_fields_proposals(group=group, fields=fields, origin=origin)
    return changes_propose_batch(
        proposals=proposals, title=title or group_batch_title(group, fields), actor=actor
    )


def name_exception_propose(
    *, name: str, reason: str | None, actor: Actor, origin: str = "api-v2"
) -> PendingChange:
    """Propose setting (a reason) or clearing (None) a member's `name_schema_exception`: the
    record keeps its name although the group's naming schema says otherwise. 404 for a name that
    is not a text record (backend-prefixed names included)."""
    record = ModelRecord.objects.filter(category=TEXT.value, name=name).first()
    if record is None:
        raise NotFound(f"Model '{name}' not found in {TEXT.value} category")
    payload = record_state(record, PendingChange.Format.V2)
    payload.pop("name_schema_exception", None)
    if reason is not None:
        payload["name_schema_exception"] = reason
    verb = "set" if reason else "cleared"
    proposal = Proposal(
        category=TEXT,
        operation=Op.UPDATE,
        name=name,
        payload=payload,
        origin=origin,
        notes=f"Name exception {verb} for '{name}'",
        request_metadata={"route": "set_name_exception"},
    )
    return change_enqueue(proposal=proposal, actor=actor)

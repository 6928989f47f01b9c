"""Proposing a change: every write through the API or the admin becomes a pending change."""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from apps.audit.services import Actor, audit_events_save
from apps.catalog.categories import CATEGORIES, Category
from apps.catalog.formats import legacy as legacy_format
from apps.catalog.formats import v2 as v2_format
from apps.catalog.formats.text_names import backend_variants, model_name
from apps.catalog.formats.text_writes import (
    TextWriteError,
    backend_prefix_message,
    text_data_complete,
    text_payload_prepare,
    v2_payload_from_db_entry,
)
from apps.catalog.models import ModelRecord
from apps.core import clock
from apps.core.errors import ApplicationError, NotFound
from apps.moderation.models import PendingChange, ReviewBatch
from apps.moderation.selectors.downloads import downloads_to_check
from apps.moderation.services.common import queue_event
from apps.verification.models import DownloadCheck
from apps.verification.tasks import queue_download_checks

Op = PendingChange.Operation
_INVALID_NAME = re.compile(r"[\x00-\x1f\x7f\\]")
TITLE_LENGTH = ReviewBatch._meta.get_field("title").max_length


class PayloadInvalid(ApplicationError):
    """422 with pydantic-style errors (the API renders them as a validation list)."""

    def __init__(self, errors: list[dict]) -> None:
        super().__init__("Invalid payload", status=422)
        self.errors = errors


@dataclass(frozen=True)
class Proposal:
    category: Category
    operation: str
    name: str
    payload: dict | None = None  # v2 record or legacy record; None for delete
    payload_format: str = PendingChange.Format.V2
    origin: str = "api-v2"
    notes: str | None = None
    request_metadata: dict | None = None


def validate_name(name: object) -> str:
    """Upstream's name rules: 422 for an empty name or invalid characters."""
    if not isinstance(name, str) or not name.strip():
        raise ApplicationError("Model name must not be empty or whitespace-only.", status=422)
    if _INVALID_NAME.search(name):
        raise ApplicationError(f"Model name must not contain invalid characters: '{name}'", status=422)
    return name


@dataclass(frozen=True)
class CheckedProposal:
    """A proposal that passed every check: what its change row will hold, and the live record it
    was checked against (None for a create)."""

    proposal: Proposal
    name: str
    payload: dict | None  # normalized; for a delete, the record's snapshot
    base_version: int | None
    current: ModelRecord | None = None


def change_check(*, proposal: Proposal) -> CheckedProposal:
    """Upstream's checks, in its order, writing nothing: name rules (422), text backend prefix
    (400), payload (422), create of an existing record (409), update or delete of a missing one
    (404). The admin shows the result as a diff before a proposal is queued."""
    category, name = proposal.category, validate_name(proposal.name)
    if category == Category.TEXT_GENERATION and (message := backend_prefix_message(name)):
        raise ApplicationError(message, status=400)
    if CATEGORIES[category].managed_elsewhere:
        raise ApplicationError(
            f"Category '{category.value}' is managed elsewhere and takes no writes.", status=400
        )
    current = ModelRecord.objects.filter(category=category.value, name=name).first()
    payload = _normalized_payload(proposal, current) if proposal.operation != Op.DELETE else None
    _check_existence(proposal, current)
    if proposal.operation == Op.DELETE:
        payload = _snapshot(category, current, proposal.payload_format)
    return CheckedProposal(proposal, name, payload, current.version if current is not None else None, current)


def _change_create(
    prepared: CheckedProposal, actor: Actor, batch: ReviewBatch | None = None
) -> PendingChange:
    """The change row and its "enqueue" audit event; inside the caller's transaction. After the
    commit, the download URLs the change adds or changes are queued for a check
    (apps/verification), so the result is on the desk before an approver decides."""
    proposal, now = prepared.proposal, clock.now()
    metadata = proposal.request_metadata
    if batch is not None:
        metadata = {**(metadata or {}), "batch_id": str(batch.pk)}
    change = PendingChange.objects.create(
        category=proposal.category.value,
        model_name=prepared.name,
        operation=proposal.operation,
        payload=prepared.payload,
        payload_format=proposal.payload_format,
        base_version=prepared.base_version,
        origin=proposal.origin,
        requested_by=actor.id,
        requested_username=actor.name,
        requested_at=now,
        updated_at=now,
        notes=proposal.notes,
        batch=batch,
        batch_title=batch.title if batch is not None else None,
        request_metadata=metadata,
        related_models=backend_variants(prepared.name)
        if proposal.category == Category.TEXT_GENERATION
        else None,
    )
    in_batch = {"batch_id": batch.pk, "batch_title": batch.title} if batch is not None else {}
    audit_events_save(
        [
            queue_event(
                change,
                actor,
                operation=change.operation,
                category=change.category,
                model=change.model_name,
                action="enqueue",
                **in_batch,
            )
        ]
    )
    if settings.HMR_VERIFY_ON_PROPOSAL and (specs := downloads_to_check(change)):
        transaction.on_commit(lambda: queue_download_checks(specs, DownloadCheck.Trigger.CHANGE))
    return change


def proposal_payload(*, proposal: Proposal) -> dict | None:
    """What the change's payload would be, with the refusals `change_enqueue` would raise; writes
    nothing (the admin shows it before a proposal is made)."""
    return change_check(proposal=proposal).payload


def change_enqueue(*, proposal: Proposal, actor: Actor) -> PendingChange:
    """Queue a create, update or delete of one record; nothing live changes.

    Refuses what `change_check` refuses. The change keeps the record's current `version` as its
    `base_version`, so applying it after someone else changed the record is refused. Duplicate
    proposals are accepted (the second one conflicts at apply). Writes the change and its
    "enqueue" audit event in one transaction.
    """
    prepared = change_check(proposal=proposal)
    with transaction.atomic():
        return _change_create(prepared, actor)


@dataclass(frozen=True)
class ProposedBatch:
    batch: ReviewBatch
    changes: list[PendingChange]


def changes_propose_batch(*, proposals: list[Proposal], title: str, actor: Actor) -> ProposedBatch:
    """Queue several changes as one proposed batch titled `title` (all or none: the first refusal
    of `change_check` is raised and nothing is written). The changes are pending, each with its base
    version; the desk shows them together, and approving the batch approves them in it
    (services/review.py). Each change's `request_metadata` names the batch."""
    title = (title or "").strip()[:TITLE_LENGTH]
    if not title:
        raise ApplicationError("batch_title must not be blank.", status=422)
    if not proposals:
        raise ApplicationError("Provide at least one change to propose.", status=422)
    prepared = [change_check(proposal=p) for p in proposals]
    now = clock.now()
    with transaction.atomic():
        batch = ReviewBatch.objects.create(
            title=title, proposed_by=actor.id, proposed_username=actor.name, proposed_at=now, created_at=now
        )
        return ProposedBatch(batch, [_change_create(p, actor, batch) for p in prepared])


def _check_existence(proposal: Proposal, current: ModelRecord | None) -> None:
    name, category = proposal.name, proposal.category.value
    if proposal.operation == Op.CREATE and current is not None:
        raise ApplicationError(
            f"Model '{name}' already exists in category '{category}'. Use PUT to update existing models.",
            status=409,
        )
    if proposal.operation == Op.UPDATE and current is None:
        raise NotFound(
            f"Model '{name}' does not exist in category '{category}'. Use POST to create new models."
        )
    if proposal.operation == Op.DELETE and current is None:
        raise NotFound(f"Model '{name}' not found in category '{category}'")


def _normalized_payload(proposal: Proposal, current: ModelRecord | None) -> dict:
    """The payload as it will be applied: validated, text fields derived, metadata carried over."""
    category = proposal.category
    if proposal.payload_format == PendingChange.Format.LEGACY:
        with _payload_errors(proposal.payload or {}):
            return _legacy_payload(proposal)
    payload = dict(proposal.payload or {})
    with _payload_errors(payload):
        if category == Category.TEXT_GENERATION:
            payload = text_payload_prepare(payload)
        data = v2_format.validate_record(category, payload)
    if category == Category.TEXT_GENERATION:
        data = text_data_complete(data)
    meta = v2_format.RecordMeta()
    if current is not None:  # updates keep when and by whom the record was created
        meta = v2_format.RecordMeta(created_at=clock.unix(current.created_at), created_by=current.created_by)
    return v2_format.render_record(category, data, meta)


def _legacy_payload(proposal: Proposal) -> dict:
    payload = proposal.payload or {}
    if proposal.category == Category.TEXT_GENERATION:
        prepared = text_payload_prepare(v2_payload_from_db_entry(payload))
        data = v2_format.validate_record(Category.TEXT_GENERATION, prepared)
        return {**payload, "model_name": model_name(data["name"])}
    legacy_format.check_written_record(proposal.category, proposal.name, payload)
    return payload


@contextmanager
def _payload_errors(payload: dict):
    """Format errors as the API's: 422 with the fields named (400 for a backend-prefixed text name)."""
    try:
        yield
    except v2_format.V2ValidationError as exc:
        raise PayloadInvalid(exc.errors) from None
    except (TextWriteError, legacy_format.LegacyFormatError) as exc:
        if getattr(exc, "status", 422) == 400:
            raise ApplicationError(str(exc), status=400) from None
        value = payload.get(exc.field) if isinstance(exc, TextWriteError) else payload
        raise PayloadInvalid(
            [{"type": "value_error", "loc": ["body", exc.field], "msg": str(exc), "input": value}]
        ) from None


def _snapshot(category: Category, current: ModelRecord, payload_format: str) -> dict:
    """A delete carries the record as it was (upstream: the current record in the canonical format)."""
    if payload_format == PendingChange.Format.LEGACY and category != Category.TEXT_GENERATION:
        return legacy_format.legacy_from_data(category, current.data)
    meta = v2_format.RecordMeta(
        clock.unix(current.created_at), clock.unix(current.updated_at), current.created_by, current.updated_by
    )
    return v2_format.render_record(category, current.data, meta)

"""Pieces every desk page uses: who acts, what they may do, how results are told."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from apps.accounts.selectors import admin_user_actor
from apps.audit.services import Actor
from apps.moderation.models import PendingChange
from apps.moderation.services import ApplyReport

PROPOSE, REVIEW, APPLY = "moderation.propose_change", "moderation.review_change", "moderation.apply_change"
REPLICA_REFUSAL = "This instance is in REPLICA mode: changes are made on the PRIMARY."


def admin_actor(user) -> Actor:
    """The acting admin user: their AI-Horde id when they signed in with a key, else `django:<pk>`."""
    return admin_user_actor(user)


def require(request, permission: str) -> None:
    """403 unless the user holds `permission` (the pages hide what the user may not do; this
    refuses it anyway)."""
    if not request.user.has_perm(permission):
        raise PermissionDenied


def may(request, permission: str) -> bool:
    """Whether to offer a write: the permission, on a PRIMARY (a REPLICA takes no changes)."""
    return request.user.has_perm(permission) and settings.HMR_REPLICATE_MODE == "PRIMARY"


def refused_on_replica(request) -> bool:
    if settings.HMR_REPLICATE_MODE == "PRIMARY":
        return False
    messages.error(request, REPLICA_REFUSAL)
    return True


def change_url(change_id: int) -> str:
    return reverse("admin:moderation_pendingchange_change", args=[change_id])


def batch_url(batch_id: int) -> str:
    return reverse("admin:moderation_reviewbatch_change", args=[batch_id])


def change_label(change: PendingChange) -> str:
    return f"#{change.pk} {change.operation} {change.category}/{change.model_name}"


def change_links(changes) -> str:
    return format_html_join(
        ", ", '<a href="{}">{}</a>', ((change_url(c.pk), change_label(c)) for c in changes)
    )


def pretty_json(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def tell_apply_report(request, report: ApplyReport) -> None:
    """One message per outcome: what was applied, what failed (a conflict says so), what moved."""
    if report.applied:
        count = len(report.applied)
        verb = "Already applied (same job)" if report.replayed else "Applied"
        messages.success(
            request,
            format_html(
                "{} {} change{}: {}.", verb, count, "" if count == 1 else "s", change_links(report.applied)
            ),
        )
    if report.failed_change_id is not None:
        kind = "Conflict" if report.failed_status == 409 else "Failed"
        messages.error(
            request,
            format_html(
                '{}: change <a href="{}">#{}</a> was not applied: {}',
                kind,
                change_url(report.failed_change_id),
                report.failed_change_id,
                report.failed_error,
            ),
        )
    if report.split is not None:
        messages.warning(
            request,
            format_html(
                'The {} approved change(s) left behind moved to batch <a href="{}">#{}</a>.',
                report.split.reassigned_count,
                batch_url(report.split.new_batch_id),
                report.split.new_batch_id,
            ),
        )
    if not report.applied and report.failed_change_id is None:
        messages.info(request, "Nothing to apply: every change was applied already.")

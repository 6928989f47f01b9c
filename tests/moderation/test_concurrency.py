"""Concurrent applies on PostgreSQL, with real threads (each has its own database connection)."""

import threading

import pytest
from django.db import connection

from apps.audit.models import AuditEvent
from apps.audit.services import Actor
from apps.catalog.categories import Category
from apps.catalog.imports import import_references
from apps.catalog.models import ModelRecord
from apps.core.errors import ApplicationError
from apps.moderation import services
from tests.moderation.conftest import DEMO_DIR, image_payload

pytestmark = pytest.mark.django_db(transaction=True)
REQUESTER = Actor("api-v2", "1001", "Requester#1001")
APPROVER = Actor("api-v2", "2002", "App#2002")


@pytest.fixture
def demo(import_actor):
    import_references(actor=import_actor, legacy_dir=DEMO_DIR)


def proposal(description: str) -> services.Proposal:
    return services.Proposal(
        Category.IMAGE_GENERATION,
        "update",
        "Demo Realism",
        image_payload("Demo Realism", description=description, baseline="stable_diffusion_1"),
    )


def run_together(*calls):
    """Start the calls at the same moment in threads; their results or the errors they raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except ApplicationError as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def record_updates():
    return (
        AuditEvent.objects.filter(model_name="Demo Realism", operation="update")
        .exclude(category="pending_queue")
        .count()
    )


@pytest.mark.parametrize("job_ids", [("same", "same"), (None, None)])
def test_two_applies_of_the_same_change_write_once(demo, job_ids):
    change = services.change_enqueue(proposal=proposal("Once."), actor=REQUESTER)
    services.changes_review(
        batch_title="T", approved_ids=[change.pk], rejected_ids=[], reject_reason=None, actor=APPROVER
    )
    version = ModelRecord.objects.get(name="Demo Realism").version
    results = run_together(
        *[
            lambda j=j: services.changes_apply(change_ids=[change.pk], job_id=j, actor=APPROVER, single=True)
            for j in job_ids
        ]
    )
    applied = [r for r in results if isinstance(r, services.ApplyReport)]
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert ModelRecord.objects.get(name="Demo Realism").version == version + 1
    assert record_updates() == 1
    assert (
        AuditEvent.objects.filter(category="pending_queue", payload__contains='"action":"apply"').count() == 1
    )
    if job_ids[0] == "same":  # the second caller sees the work already done by its own job
        assert len(applied) == 2 and sorted(r.replayed for r in applied) == [False, True]
    else:
        assert (
            len(applied) == 1
            and refused[0].message == f"Change {change.pk} is not approved (status=applied)."
        )


def test_two_updates_based_on_the_same_version_one_applies_one_is_refused(demo):
    first = services.change_enqueue(proposal=proposal("First."), actor=REQUESTER)
    second = services.change_enqueue(proposal=proposal("Second."), actor=REQUESTER)
    services.changes_review(
        batch_title="T",
        approved_ids=[first.pk, second.pk],
        rejected_ids=[],
        reject_reason=None,
        actor=APPROVER,
    )
    version = ModelRecord.objects.get(name="Demo Realism").version
    results = run_together(
        lambda: services.changes_apply(change_ids=[first.pk], job_id=None, actor=APPROVER, single=True),
        lambda: services.changes_apply(change_ids=[second.pk], job_id=None, actor=APPROVER, single=True),
    )
    winners = [r for r in results if isinstance(r, services.ApplyReport)]
    losers = [r for r in results if isinstance(r, ApplicationError)]
    assert (len(winners), len(losers), losers[0].status) == (1, 1, 409)
    record = ModelRecord.objects.get(name="Demo Realism")
    assert record.version == version + 1
    assert record.description == winners[0].applied[0].payload["description"]
    assert record_updates() == 1

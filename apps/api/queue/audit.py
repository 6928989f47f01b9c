"""`…/pending_queue/audit/…`: open changes, batch history and what a batch changed (any valid key)."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from apps.api.params import query_int, query_str
from apps.api.queue import serializers as shapes
from apps.api.queue.base import QueueApi
from apps.core import clock
from apps.core.errors import ApplicationError, NotFound
from apps.moderation import selectors
from apps.moderation.models import ReviewBatch

DOMAIN = OpenApiParameter(
    "domain_override", str, enum=["legacy", "v2"], description="default: the canonical format"
)


def _domain(request) -> str:
    override = query_str(request, "domain_override")
    if override is not None and override not in ("legacy", "v2"):
        raise ApplicationError("domain_override must be 'legacy' or 'v2'.", status=422)
    return override or settings.HMR_CANONICAL_FORMAT


def _batch(batch_id: int) -> ReviewBatch:
    batch = selectors.batch_get(batch_id)
    if batch is None:
        raise NotFound("Batch not found")
    return batch


class AuditCurrentApi(QueueApi):
    @extend_schema(
        summary="Changes waiting for review, newest first",
        parameters=[DOMAIN],
        responses=shapes.AuditCurrentSerializer,
    )
    def get(self, request):
        pending = selectors.pending_changes()
        body = {
            "domain": _domain(request),
            "pending_changes": pending,
            "total_pending": len(pending),
            "generated_at": clock.now(),
        }
        return Response(shapes.AuditCurrentSerializer(body).data)


class AuditBatchesApi(QueueApi):
    @extend_schema(
        summary="Review batches, newest first",
        parameters=[DOMAIN, OpenApiParameter("cursor", int), OpenApiParameter("limit", int)],
        responses=shapes.AuditBatchesSerializer,
    )
    def get(self, request):
        domain = _domain(request)
        cursor = query_int(request, "cursor", 1, ge=1) if query_str(request, "cursor") is not None else None
        page = selectors.batch_page(cursor=cursor, limit=query_int(request, "limit", 10, ge=1, le=50))
        body = {"domain": domain, "batches": page.batches, "next_cursor": page.next_cursor}
        return Response(shapes.AuditBatchesSerializer(body).data)


class AuditBatchApi(QueueApi):
    @extend_schema(
        summary="One batch with its changes and audit events",
        parameters=[DOMAIN],
        responses=shapes.AuditBatchSerializer,
    )
    def get(self, request, batch_id: int):
        history = selectors.batch_history(_batch(batch_id))
        return Response(shapes.AuditBatchSerializer(history, context={"domain": _domain(request)}).data)


class AuditNetChangesApi(QueueApi):
    @extend_schema(
        summary="What a batch changed, per model", parameters=[DOMAIN], responses=shapes.NetChangesSerializer
    )
    def get(self, request, batch_id: int):
        net = selectors.batch_net_changes(_batch(batch_id))
        context = {"domain": _domain(request), "generated_at": clock.now()}
        return Response(shapes.NetChangesSerializer(net, context=context).data)

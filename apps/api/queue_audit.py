"""`…/pending_queue/audit/…`: open changes, batch history and what a batch changed (any valid key)."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from apps.api.params import query_int, query_str
from apps.api.queue_base import TAGS, QueueApi
from apps.core.errors import ApplicationError, NotFound
from apps.moderation import audit_views
from apps.moderation.models import ReviewBatch


def _domain(request, api_version: str) -> str:
    override = query_str(request, "domain_override")
    if override is not None and override not in ("legacy", "v2"):
        raise ApplicationError("domain_override must be 'legacy' or 'v2'.", status=422)
    return override or settings.HMR_CANONICAL_FORMAT


class AuditCurrentApi(QueueApi):
    @extend_schema(
        summary="Changes waiting for review, newest first", tags=TAGS, responses=OpenApiTypes.OBJECT
    )
    def get(self, request):
        return Response(audit_views.audit_current(_domain(request, self.api_version)))


class AuditBatchesApi(QueueApi):
    @extend_schema(summary="Review batches, newest first", tags=TAGS, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        cursor = query_str(request, "cursor")
        return Response(
            audit_views.audit_batches(
                _domain(request, self.api_version),
                cursor=query_int(request, "cursor", 1, ge=1) if cursor is not None else None,
                limit=query_int(request, "limit", 10, ge=1, le=50),
            )
        )


def _batch(batch_id: int) -> ReviewBatch:
    batch = ReviewBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        raise NotFound("Batch not found")
    return batch


class AuditBatchApi(QueueApi):
    @extend_schema(
        summary="One batch with its changes and audit events", tags=TAGS, responses=OpenApiTypes.OBJECT
    )
    def get(self, request, batch_id: int):
        return Response(audit_views.audit_batch(_batch(batch_id), _domain(request, self.api_version)))


class AuditNetChangesApi(QueueApi):
    @extend_schema(summary="What a batch changed, per model", tags=TAGS, responses=OpenApiTypes.OBJECT)
    def get(self, request, batch_id: int):
        return Response(audit_views.audit_net_changes(_batch(batch_id), _domain(request, self.api_version)))

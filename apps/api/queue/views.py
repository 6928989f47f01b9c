"""`/model_references/{v1|v2}/pending_queue/…`: the review queue over HTTP (same on both prefixes)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework.response import Response

from apps.api.bodies import parsed_body
from apps.api.params import query_int, query_list, query_str
from apps.api.permissions import request_horde_user
from apps.api.queue import bodies
from apps.api.queue import serializers as shapes
from apps.api.queue.base import QueueApi
from apps.api.serializers import WRITE_ERRORS, ErrorSerializer
from apps.core.errors import ApplicationError, NotFound
from apps.moderation import selectors, services
from apps.moderation.models import PendingChange


def _page(request, filters: selectors.ChangeFilter) -> Response:
    page = selectors.change_list(
        filters,
        offset=query_int(request, "offset", 0, ge=0),
        limit=query_int(request, "limit", 50, ge=1, le=500),
    )
    return Response(shapes.PendingChangePageSerializer(page).data)


class ChangesApi(QueueApi):
    @extend_schema(summary="Queued changes, filtered", responses=shapes.PendingChangePageSerializer)
    def get(self, request):
        batch_id = query_str(request, "batch_id")
        filters = selectors.ChangeFilter(
            statuses=tuple(query_list(request, "statuses")),
            categories=tuple(query_list(request, "categories")),
            batch_id=query_int(request, "batch_id", 0, ge=1) if batch_id is not None else None,
            model_name=query_str(request, "model_name", min_length=1, max_length=200),
            requested_by=tuple(query_list(request, "requested_by")),
        )
        return _page(request, filters)


class MyChangesApi(QueueApi):
    role = "requestor"

    @extend_schema(summary="The caller's own changes", responses=shapes.PendingChangePageSerializer)
    def get(self, request):
        filters = selectors.ChangeFilter(
            statuses=tuple(query_list(request, "statuses")),
            categories=tuple(query_list(request, "categories")),
            requested_by=(request_horde_user(request).user_id,),
        )
        return _page(request, filters)


def _change(change_id: int) -> PendingChange:
    change = selectors.change_get(change_id)
    if change is None:
        raise NotFound("Change not found")
    return change


class ChangeApi(QueueApi):
    @extend_schema(summary="One change", responses=shapes.PendingChangeSerializer)
    def get(self, request, change_id: int):
        return Response(shapes.PendingChangeSerializer(_change(change_id)).data)


class ChangeDiffApi(QueueApi):
    @extend_schema(
        summary="Field-level diff of one change against the live record",
        responses=shapes.ChangeDiffSerializer,
    )
    def get(self, request, change_id: int):
        return Response(shapes.ChangeDiffSerializer(selectors.change_diff(_change(change_id))).data)


class DiffsApi(QueueApi):
    @extend_schema(
        summary="Diffs of several changes",
        parameters=[
            OpenApiParameter(
                "change_ids", str, many=True, description="1-100 ids, repeated or comma-separated"
            )
        ],
        responses=shapes.DiffsSerializer,
    )
    def get(self, request):
        ids = [v for value in query_list(request, "change_ids") for v in value.split(",") if v.strip()]
        if not 1 <= len(ids) <= 100:
            raise ApplicationError("Provide between 1 and 100 change_ids.", status=422)
        diffs, errors = [], []
        for value in ids:
            try:
                diffs.append(selectors.change_diff(_change(int(value))))
            except (ValueError, NotFound) as exc:
                error = str(exc) if isinstance(exc, NotFound) else "not an integer"
                errors.append({"change_id": value, "error": error, "error_type": type(exc).__name__})
        return Response(shapes.DiffsSerializer({"diffs": diffs, "total": len(ids), "errors": errors}).data)


class BatchesApi(QueueApi):
    role = "approver"

    @extend_schema(
        summary="Approve and/or reject pending changes as a titled batch",
        request=bodies.ReviewRequest,
        responses={200: shapes.ReviewResponseSerializer, **WRITE_ERRORS},
    )
    def post(self, request):
        body = parsed_body(bodies.ReviewRequest, request)
        result = services.changes_review(
            batch_title=body.batch_title,
            approved_ids=body.approved_ids or [],
            rejected_ids=body.rejected_ids or [],
            reject_reason=body.reject_reason,
            actor=self.actor(),
        )
        return Response(shapes.ReviewResponseSerializer(result).data)


class ChangeApplyApi(QueueApi):
    role = "approver"

    @extend_schema(
        summary="Apply one approved change (idempotent with job_id)",
        request=bodies.ApplyOneRequest,
        responses={200: shapes.ApplyOneResponseSerializer, **WRITE_ERRORS},
    )
    def post(self, request, change_id: int):
        body = parsed_body(bodies.ApplyOneRequest, request, required=False)
        report = services.changes_apply(
            change_ids=[change_id], job_id=body.job_id, single=True, actor=self.actor()
        )
        return Response(shapes.ApplyOneResponseSerializer(report).data)


# `/apply` and `/apply_batch` answer a failed apply with the report in the body and the failure's
# status (upstream); a refused or invalid request with the error envelope.
APPLY_FAILURE = PolymorphicProxySerializer(
    component_name="ApplyFailure",
    serializers=[shapes.ApplyResponseSerializer, ErrorSerializer],
    resource_type_field_name=None,
)
APPLY_RESPONSES = {
    200: shapes.ApplyResponseSerializer,
    **WRITE_ERRORS,
    **{code: APPLY_FAILURE for code in (400, 404, 409, 422, 503)},
}


def _apply_response(report: services.ApplyReport) -> Response:
    return Response(shapes.ApplyResponseSerializer(report).data, status=report.failed_status or 200)


class ApplyApi(QueueApi):
    role = "approver"

    @extend_schema(
        summary="Apply approved changes of one batch, in order, stopping at the first failure",
        request=bodies.ApplyRequest,
        responses=APPLY_RESPONSES,
    )
    def post(self, request):
        body = parsed_body(bodies.ApplyRequest, request)
        report = services.changes_apply(
            change_ids=body.change_ids,
            job_id=body.job_id,
            allow_mixed_batch=body.allow_mixed_batch,
            actor=self.actor(),
        )
        return _apply_response(report)


class ApplyBatchApi(QueueApi):
    role = "approver"

    @extend_schema(
        summary="Apply every approved change of a batch",
        request=None,
        parameters=[OpenApiParameter("job_id", str)],
        responses=APPLY_RESPONSES,
    )
    def post(self, request, batch_id: int):
        job_id = query_str(request, "job_id", max_length=120)
        return _apply_response(services.batch_apply(batch_id=batch_id, job_id=job_id, actor=self.actor()))


class PurgeApi(QueueApi):
    role = "approver"

    @extend_schema(
        summary="Remove change records by filter",
        request=bodies.PurgeRequest,
        responses={200: shapes.PurgeResponseSerializer, **WRITE_ERRORS},
    )
    def post(self, request):
        body = parsed_body(bodies.PurgeRequest, request)
        filters = services.PurgeFilter(
            statuses=tuple(body.statuses or ()),
            categories=tuple(body.categories or ()),
            model_name=body.model_name,
            requested_by=tuple(body.requested_by or ()),
            purge_all=body.purge_all,
        )
        removed = services.changes_purge(filters=filters, dry_run=body.dry_run, actor=self.actor())
        result = {"removed_count": len(removed), "removed_change_ids": removed, "dry_run": body.dry_run}
        return Response(shapes.PurgeResponseSerializer(result).data)

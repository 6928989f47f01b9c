"""`/model_references/{v1|v2}/pending_queue/…`: the review queue over HTTP (same on both prefixes)."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.response import Response

from apps.api.bodies import Body, json_object
from apps.api.params import query_int, query_list, query_str
from apps.api.permissions import IsApprover, IsRequestor, PrimaryOnly, request_horde_user
from apps.api.queue_audit import AuditBatchApi, AuditBatchesApi, AuditCurrentApi, AuditNetChangesApi
from apps.api.queue_base import TAGS, QueueApi, actor_of
from apps.api.v2 import schemas
from apps.core.errors import ApplicationError, NotFound
from apps.moderation import selectors, services
from apps.moderation.models import PendingChange


def _filters(request) -> selectors.ChangeFilter:
    batch_id = query_str(request, "batch_id")
    return selectors.ChangeFilter(
        statuses=tuple(query_list(request, "statuses")),
        categories=tuple(query_list(request, "categories")),
        batch_id=query_int(request, "batch_id", 0, ge=1) if batch_id is not None else None,
        model_name=query_str(request, "model_name", min_length=1, max_length=200),
        requested_by=tuple(query_list(request, "requested_by")),
    )


def _page(request, filters: selectors.ChangeFilter) -> Response:
    offset = query_int(request, "offset", 0, ge=0)
    limit = query_int(request, "limit", 50, ge=1, le=500)
    page = selectors.change_list(filters, offset=offset, limit=limit)
    return Response(
        {
            "items": [selectors.change_body(c) for c in page.items],
            "total": page.total,
            "offset": page.offset,
            "limit": page.limit,
        }
    )


class ChangesApi(QueueApi):
    @extend_schema(summary="Queued changes, filtered", tags=TAGS, responses=schemas.change_page_response)
    def get(self, request):
        return _page(request, _filters(request))


class MyChangesApi(QueueApi):
    permission_classes = [IsRequestor, PrimaryOnly]

    @extend_schema(summary="The caller's own changes", tags=TAGS, responses=schemas.change_page_response)
    def get(self, request):
        user = request_horde_user(request)
        filters = selectors.ChangeFilter(
            statuses=tuple(query_list(request, "statuses")),
            categories=tuple(query_list(request, "categories")),
            requested_by=(user.user_id,),
        )
        return _page(request, filters)


def _change(change_id: int) -> PendingChange:
    change = PendingChange.objects.filter(pk=change_id).first()
    if change is None:
        raise NotFound("Change not found")
    return change


class ChangeApi(QueueApi):
    @extend_schema(summary="One change", tags=TAGS, responses=schemas.pending_change_response)
    def get(self, request, change_id: int):
        return Response(selectors.change_body(_change(change_id)))


class ChangeDiffApi(QueueApi):
    @extend_schema(
        summary="Field-level diff of one change against the live record",
        tags=TAGS,
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request, change_id: int):
        return Response(selectors.change_diff(_change(change_id)))


class DiffsApi(QueueApi):
    @extend_schema(summary="Diffs of several changes", tags=TAGS, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        raw = query_list(request, "change_ids")
        ids = []
        for value in raw:
            ids += [v for v in value.split(",") if v.strip()]
        if not 1 <= len(ids) <= 100:
            raise ApplicationError("Provide between 1 and 100 change_ids.", status=422)
        diffs, errors = [], []
        for value in ids:
            try:
                diffs.append(selectors.change_diff(_change(int(value))))
            except (ValueError, NotFound) as exc:
                errors.append(
                    {
                        "change_id": value,
                        "error": str(exc) if isinstance(exc, NotFound) else "not an integer",
                        "error_type": type(exc).__name__,
                    }
                )
        return Response({"diffs": diffs, "total": len(ids), "errors": errors})


class BatchesApi(QueueApi):
    permission_classes = [IsApprover, PrimaryOnly]

    @extend_schema(
        summary="Approve and/or reject pending changes as a titled batch",
        tags=TAGS,
        request=schemas.review_request,
        responses={200: schemas.review_response, **schemas.WRITE_ERRORS},
    )
    def post(self, request):
        body = Body(json_object(request))
        title = body.string("batch_title", required=True, min_length=1, max_length=120)
        approved = body.int_list("approved_ids")
        rejected = body.int_list("rejected_ids")
        reason = body.string("reject_reason", max_length=500)
        body.done()
        result = services.changes_review(
            batch_title=title,
            approved_ids=approved,
            rejected_ids=rejected,
            reject_reason=reason,
            actor=actor_of(request, self.api_version),
        )
        return Response(
            {
                "batch_id": result.batch.pk if result.batch else None,
                "batch_title": result.batch_title,
                "approved": [selectors.change_body(c, keep_nulls=True) for c in result.approved],
                "rejected": [selectors.change_body(c, keep_nulls=True) for c in result.rejected],
            }
        )


def _split_fields(report: services.ApplyReport) -> dict:
    if report.split is None:
        return {"batch_split_occurred": False}
    return {
        "batch_split_occurred": True,
        "batch_split_original_batch_id": report.split.original_batch_id,
        "batch_split_new_batch_id": report.split.new_batch_id,
        "batch_split_reassigned_count": report.split.reassigned_count,
    }


def _apply_response(report: services.ApplyReport) -> Response:
    body = {"applied": [selectors.change_body(c) for c in report.applied], **_split_fields(report)}
    if report.failed_change_id is not None:
        body.update(
            failed_change_id=report.failed_change_id,
            failed_error=report.failed_error,
            failed_error_type=report.failed_error_type,
        )
    return Response(body, status=report.failed_status or 200)


class ChangeApplyApi(QueueApi):
    permission_classes = [IsApprover, PrimaryOnly]

    @extend_schema(
        summary="Apply one approved change (idempotent with job_id)",
        tags=TAGS,
        request=schemas.apply_one_request,
        responses={200: schemas.apply_one_response, **schemas.WRITE_ERRORS},
    )
    def post(self, request, change_id: int):
        body = Body(request.data if isinstance(request.data, dict) else {})
        job_id = body.string("job_id", max_length=120)
        body.done()
        report = services.changes_apply(
            change_ids=[change_id], job_id=job_id, single=True, actor=actor_of(request, self.api_version)
        )
        return Response({"record": selectors.change_body(report.applied[0]), **_split_fields(report)})


class ApplyApi(QueueApi):
    permission_classes = [IsApprover, PrimaryOnly]

    @extend_schema(
        summary="Apply approved changes of one batch, in order, stopping at the first failure",
        tags=TAGS,
        request=schemas.apply_request,
        responses={200: schemas.apply_response, **schemas.WRITE_ERRORS},
    )
    def post(self, request):
        body = Body(json_object(request))
        ids = body.int_list("change_ids", min_items=1)
        job_id = body.string("job_id", max_length=120)
        mixed = body.boolean("allow_mixed_batch")
        body.done()
        report = services.changes_apply(
            change_ids=ids, job_id=job_id, allow_mixed_batch=mixed, actor=actor_of(request, self.api_version)
        )
        return _apply_response(report)


class ApplyBatchApi(QueueApi):
    permission_classes = [IsApprover, PrimaryOnly]

    @extend_schema(
        summary="Apply every approved change of a batch",
        tags=TAGS,
        request=None,
        parameters=[OpenApiParameter("job_id", str)],
        responses={200: schemas.apply_response, **schemas.WRITE_ERRORS},
    )
    def post(self, request, batch_id: int):
        job_id = query_str(request, "job_id", max_length=120)
        report = services.batch_apply(
            batch_id=batch_id, job_id=job_id, actor=actor_of(request, self.api_version)
        )
        return _apply_response(report)


class PurgeApi(QueueApi):
    permission_classes = [IsApprover, PrimaryOnly]

    @extend_schema(
        summary="Remove change records by filter",
        tags=TAGS,
        request=schemas.purge_request,
        responses={200: schemas.purge_response, **schemas.WRITE_ERRORS},
    )
    def post(self, request):
        body = Body(json_object(request))
        filters = services.PurgeFilter(
            statuses=tuple(body.str_list("statuses")),
            categories=tuple(body.str_list("categories")),
            model_name=body.string("model_name", max_length=200),
            requested_by=tuple(body.str_list("requested_by")),
            purge_all=body.boolean("purge_all"),
        )
        dry_run = body.boolean("dry_run")
        body.done()
        removed = services.changes_purge(
            filters=filters, dry_run=dry_run, actor=actor_of(request, self.api_version)
        )
        return Response({"removed_count": len(removed), "removed_change_ids": removed, "dry_run": dry_run})


def queue_urls(api_version: str) -> list:
    def view(cls):
        typed = type(cls.__name__, (cls,), {"api_version": api_version})
        operation = f"{api_version}_queue_{cls.__name__.removesuffix('Api')}"
        methods = {m: extend_schema(operation_id=operation) for m in ("get", "post") if hasattr(cls, m)}
        return extend_schema_view(**methods)(typed).as_view()

    p = f"{api_version}-queue"
    return [
        path("pending_queue/changes", view(ChangesApi), name=f"{p}-changes"),
        path("pending_queue/my_changes", view(MyChangesApi), name=f"{p}-mine"),
        path("pending_queue/changes/<int:change_id>", view(ChangeApi), name=f"{p}-change"),
        path("pending_queue/changes/<int:change_id>/diff", view(ChangeDiffApi), name=f"{p}-diff"),
        path("pending_queue/changes/<int:change_id>/apply", view(ChangeApplyApi), name=f"{p}-apply-one"),
        path("pending_queue/diffs", view(DiffsApi), name=f"{p}-diffs"),
        path("pending_queue/batches", view(BatchesApi), name=f"{p}-batches"),
        path("pending_queue/apply", view(ApplyApi), name=f"{p}-apply"),
        path("pending_queue/apply_batch/<int:batch_id>", view(ApplyBatchApi), name=f"{p}-apply-batch"),
        path("pending_queue/purge", view(PurgeApi), name=f"{p}-purge"),
        path("pending_queue/audit/current", view(AuditCurrentApi), name=f"{p}-audit-current"),
        path("pending_queue/audit/batches", view(AuditBatchesApi), name=f"{p}-audit-batches"),
        path("pending_queue/audit/batches/<int:batch_id>", view(AuditBatchApi), name=f"{p}-audit-batch"),
        path(
            "pending_queue/audit/batches/<int:batch_id>/net_changes",
            view(AuditNetChangesApi),
            name=f"{p}-audit-net",
        ),
    ]

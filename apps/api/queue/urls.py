"""The queue's routes, mounted under both prefixes (apps/api/v1/urls.py, apps/api/v2/urls.py)."""

from django.urls import path

from apps.api.queue import audit, views


def queue_urls(api_version: str) -> list:
    p = f"{api_version}-queue"

    def view(cls):
        return cls.as_view(api_version=api_version)

    return [
        path("pending_queue/changes", view(views.ChangesApi), name=f"{p}-changes"),
        path("pending_queue/my_changes", view(views.MyChangesApi), name=f"{p}-mine"),
        path("pending_queue/changes/<int:change_id>", view(views.ChangeApi), name=f"{p}-change"),
        path("pending_queue/changes/<int:change_id>/diff", view(views.ChangeDiffApi), name=f"{p}-diff"),
        path(
            "pending_queue/changes/<int:change_id>/apply", view(views.ChangeApplyApi), name=f"{p}-apply-one"
        ),
        path("pending_queue/diffs", view(views.DiffsApi), name=f"{p}-diffs"),
        path("pending_queue/batches", view(views.BatchesApi), name=f"{p}-batches"),
        path("pending_queue/apply", view(views.ApplyApi), name=f"{p}-apply"),
        path("pending_queue/apply_batch/<int:batch_id>", view(views.ApplyBatchApi), name=f"{p}-apply-batch"),
        path("pending_queue/purge", view(views.PurgeApi), name=f"{p}-purge"),
        path("pending_queue/audit/current", view(audit.AuditCurrentApi), name=f"{p}-audit-current"),
        path("pending_queue/audit/batches", view(audit.AuditBatchesApi), name=f"{p}-audit-batches"),
        path(
            "pending_queue/audit/batches/<int:batch_id>", view(audit.AuditBatchApi), name=f"{p}-audit-batch"
        ),
        path(
            "pending_queue/audit/batches/<int:batch_id>/net_changes",
            view(audit.AuditNetChangesApi),
            name=f"{p}-audit-net",
        ),
    ]

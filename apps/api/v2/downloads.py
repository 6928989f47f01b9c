"""`GET /v2/{category}/model/{name}/downloads`: the latest check of each download URL of a record.

Names may contain "/", so this route sits above `…/model/{name}` and `{name}` is everything
before the last "/downloads". A record literally named "<x>/downloads" keeps its URL: when no
record "<x>" exists, a GET of `…/model/<x>/downloads` is served by the record view with that
name, and PUT/DELETE there always address the record "<x>/downloads" (as before this route).
The record itself gains no keys: strict v2 clients keep validating.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from apps.api.conditional import json_response
from apps.api.schema import Operation
from apps.api.serializers import ERRORS
from apps.api.v2.views import TAGS, RecordApi
from apps.api.v2.writes import V2CategoryView
from apps.catalog.models import ModelRecord
from apps.core.errors import NotFound
from apps.verification import selectors
from apps.verification.models import DownloadCheck
from apps.verification.selectors import DownloadState

SUFFIX = "/downloads"
STATES = [selectors.OK, selectors.PROBLEM, selectors.CHECKING, selectors.UNCHECKED]


class DownloadResultSerializer(serializers.Serializer):
    file_name = serializers.CharField()
    file_url = serializers.CharField()
    expected_sha256 = serializers.CharField(allow_null=True, help_text="From the record; null: unknown")
    expected_size_bytes = serializers.IntegerField(
        allow_null=True, help_text="From the record; null: unknown"
    )
    state = serializers.ChoiceField(
        choices=STATES, help_text="ok, problem (see outcome), checking (a check is queued), unchecked"
    )
    outcome = serializers.ChoiceField(choices=DownloadCheck.Outcome.values, allow_null=True)
    reason = serializers.CharField(allow_null=True)
    checked_at = serializers.DateTimeField(allow_null=True)
    http_status = serializers.IntegerField(allow_null=True)
    final_url = serializers.CharField(allow_null=True, help_text="Where redirects ended (null: no redirect)")
    remote_size_bytes = serializers.IntegerField(allow_null=True)
    remote_sha256 = serializers.CharField(allow_null=True)
    hash_source = serializers.CharField(
        allow_null=True, help_text="X-Linked-Etag, ETag, Digest or civitai API"
    )
    check_requested_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "DownloadCheckResult"


class RecordDownloadsSerializer(serializers.Serializer):
    category = serializers.CharField()
    name = serializers.CharField()
    downloads = DownloadResultSerializer(many=True)

    class Meta:
        ref_name = "RecordDownloads"


def download_item(state: DownloadState) -> dict:
    spec, check = state.spec, state.check
    return {
        "file_name": spec.file_name,
        "file_url": spec.url,
        "expected_sha256": spec.expected_sha256 or None,
        "expected_size_bytes": spec.expected_size,
        "state": state.state,
        "outcome": check.outcome if check else None,
        "reason": check.reason if check else None,
        "checked_at": check.checked_at if check else None,
        "http_status": check.http_status if check else None,
        "final_url": (check.final_url or None) if check else None,
        "remote_size_bytes": check.remote_size if check else None,
        "remote_sha256": (check.remote_sha256 or None) if check else None,
        "hash_source": (check.hash_source or None) if check else None,
        "check_requested_at": state.requested_at,
    }


class RecordDownloadsApi(V2CategoryView):
    """Reads here; anything else on this URL belongs to the record named "<name>/downloads"."""

    http_method_names = ["get", "head", "options"]

    def dispatch(self, request, *args, **kwargs):
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            return self._as_record(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def _as_record(self, request, *args, **kwargs):
        record_view = RecordApi.as_view(category=self.category)
        return record_view(request, *args, **{**kwargs, "name": kwargs["name"] + SUFFIX})

    @extend_schema(summary="The latest check of each download URL of a record", tags=TAGS)
    def get(self, request, name: str, category: str | None = None):
        parsed = self.path_category(category)
        record = (
            ModelRecord.objects.filter(category=parsed.value, name=name).only("id", "name", "data").first()
        )
        if record is None:
            if ModelRecord.objects.filter(category=parsed.value, name=name + SUFFIX).exists():
                return self._as_record(request._request, name=name, category=category)
            raise NotFound(f"Model '{name}' not found in category '{parsed.value}'")
        states = selectors.record_states(record)
        body = {
            "category": parsed.value,
            "name": record.name,
            "downloads": [download_item(s) for s in states],
        }
        return json_response(request, RecordDownloadsSerializer(body).data)

    def openapi_operation(self, method: str) -> Operation:
        suffix = f"{self.category.value}_" if self.category else ""
        return Operation(
            operation_id=f"v2_{suffix}model_downloads",
            responses={200: RecordDownloadsSerializer, **ERRORS},
            tags=TAGS,
        )

"""Test-only endpoints guarded the way the write and queue endpoints are (until those exist).

The real routes are included too, so /api/model_references/v2/me/roles works beside them.
"""

from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.api.permissions import (
    CanonicalWrites,
    GuardedWritesMixin,
    IsApprover,
    IsReader,
    IsRequestor,
    PrimaryOnly,
    request_horde_user,
)


class _Echo(APIView):
    def get(self, request):
        return Response({"ok": True})

    def post(self, request):
        return Response({"by": request_horde_user(request).user_id}, status=202)


class RequestorWrite(_Echo):
    permission_classes = [IsRequestor, PrimaryOnly, CanonicalWrites("v2")]


class ApproverWrite(_Echo):
    permission_classes = [IsApprover, PrimaryOnly, CanonicalWrites("v2")]


class LegacyWrite(_Echo):
    permission_classes = [IsRequestor, PrimaryOnly, CanonicalWrites("legacy")]


class QueueRead(_Echo):
    permission_classes = [IsReader, PrimaryOnly]


class CategoryResource(GuardedWritesMixin, _Echo):
    permission_classes = []  # reads are open
    write_permission_classes = [IsRequestor, PrimaryOnly, CanonicalWrites("v2")]


class OpenPost(APIView):
    """Like upstream's compose_name: a POST anyone may call."""

    def post(self, request):
        return Response({"ok": True})


urlpatterns = [
    path("open/post", OpenPost.as_view()),
    path("guarded/requestor", RequestorWrite.as_view()),
    path("guarded/approver", ApproverWrite.as_view()),
    path("guarded/legacy", LegacyWrite.as_view()),
    path("guarded/reader", QueueRead.as_view()),
    path("guarded/category", CategoryResource.as_view()),
    path("", include("hmr_site.urls")),
]

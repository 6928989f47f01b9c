"""What every pending-queue endpoint shares: one view class per endpoint serves both prefixes
(`as_view(api_version=...)`), with the gates, the throttle and the acting user."""

from __future__ import annotations

from rest_framework.views import APIView

from apps.accounts.throttles import HordeWriteThrottle
from apps.api.permissions import IsApprover, IsReader, IsRequestor, PrimaryOnly, request_horde_user
from apps.api.schema import Operation
from apps.audit.services import Actor

TAGS = ["pending queue"]


class QueueApi(APIView):
    """Any valid key, on a PRIMARY (503 on a replica). `role` narrows it: "requestor", "approver"."""

    api_version = "v2"
    role = "reader"
    throttle_classes = [HordeWriteThrottle]
    _ROLES = {"reader": IsReader, "requestor": IsRequestor, "approver": IsApprover}

    def get_permissions(self):
        return [self._ROLES[self.role](), PrimaryOnly()]

    def openapi_operation(self, method: str) -> Operation:
        return Operation(f"{self.api_version}_queue_{type(self).__name__.removesuffix('Api')}", tags=TAGS)

    def actor(self) -> Actor:
        user = request_horde_user(self.request)
        return Actor(origin=f"api-{self.api_version}", id=user.user_id, name=user.username)

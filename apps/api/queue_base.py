"""What every pending-queue endpoint shares: gates, throttle, and the acting user."""

from __future__ import annotations

from rest_framework.views import APIView

from apps.accounts.throttles import HordeWriteThrottle
from apps.api.permissions import IsReader, PrimaryOnly, request_horde_user
from apps.audit.services import Actor

TAGS = ["pending queue"]


def actor_of(request, api_version: str) -> Actor:
    user = request_horde_user(request)
    return Actor(origin=f"api-{api_version}", id=user.user_id, name=user.username)


class QueueApi(APIView):
    """Any valid key, on a PRIMARY (503 on a replica); subclasses narrow the role."""

    api_version = "v2"
    permission_classes = [IsReader, PrimaryOnly]
    throttle_classes = [HordeWriteThrottle]

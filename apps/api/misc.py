"""`/api/`, `/api/heartbeat`, `/api/replicate_mode`."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.api.serializers import HeartbeatSerializer, MessageSerializer, ReplicateModeSerializer
from apps.core import clock
from apps.horde.breaker import breaker_state

WELCOME = "Welcome to the Horde Model Reference API. See `/api/docs` for interactive documentation."


class WelcomeApi(APIView):
    @extend_schema(summary="Welcome", tags=["service"], responses=MessageSerializer)
    def get(self, request):
        return Response(MessageSerializer({"message": WELCOME}).data)


class HeartbeatApi(APIView):
    """Liveness, and the AI-Horde circuit breaker as every process sees it (shared in Redis)."""

    @extend_schema(summary="Liveness", tags=["service"], responses=HeartbeatSerializer)
    def get(self, request):
        breaker, now = breaker_state(), clock.now().timestamp()
        body = {
            "status": "ok",
            "ai_horde": {
                "degraded": breaker.is_open(now),
                "consecutive_failures": breaker.consecutive_failures,
                "seconds_until_retry": breaker.seconds_until_retry(now),
                "last_success": None if breaker.last_success is None else int(breaker.last_success),
            },
        }
        return Response(HeartbeatSerializer(body).data)


class ReplicateModeApi(APIView):
    @extend_schema(
        summary="PRIMARY or REPLICA, and which format takes writes",
        tags=["service"],
        responses=ReplicateModeSerializer,
    )
    def get(self, request):
        mode = {
            "replicate_mode": settings.HMR_REPLICATE_MODE,
            "canonical_format": settings.HMR_CANONICAL_FORMAT,
            "writable": settings.HMR_REPLICATE_MODE == "PRIMARY",
        }
        return Response(ReplicateModeSerializer(mode).data)

"""`/api/`, `/api/heartbeat`, `/api/replicate_mode`."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.api.serializers import HeartbeatSerializer, MessageSerializer, ReplicateModeSerializer

WELCOME = "Welcome to the Horde Model Reference API. See `/api/docs` for interactive documentation."


class WelcomeApi(APIView):
    @extend_schema(summary="Welcome", tags=["service"], responses=MessageSerializer)
    def get(self, request):
        return Response(MessageSerializer({"message": WELCOME}).data)


class HeartbeatApi(APIView):
    @extend_schema(summary="Liveness", tags=["service"], responses=HeartbeatSerializer)
    def get(self, request):
        body = {
            "status": "ok",
            "ai_horde": {"degraded": False, "consecutive_failures": 0, "seconds_until_retry": None},
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

"""`/api/`, `/api/heartbeat`, `/api/replicate_mode`."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.api.v2 import schemas

WELCOME = "Welcome to the Horde Model Reference API. See `/api/docs` for interactive documentation."


class WelcomeApi(APIView):
    @extend_schema(summary="Welcome", tags=["service"], responses=schemas.message_response)
    def get(self, request):
        return Response({"message": WELCOME})


class HeartbeatApi(APIView):
    @extend_schema(summary="Liveness", tags=["service"], responses=schemas.heartbeat_response)
    def get(self, request):
        return Response(
            {
                "status": "ok",
                "ai_horde": {"degraded": False, "consecutive_failures": 0, "seconds_until_retry": None},
            }
        )


class ReplicateModeApi(APIView):
    @extend_schema(
        summary="PRIMARY or REPLICA, and which format takes writes",
        tags=["service"],
        responses=schemas.replicate_mode_response,
    )
    def get(self, request):
        primary = settings.HMR_REPLICATE_MODE == "PRIMARY"
        return Response(
            {
                "replicate_mode": settings.HMR_REPLICATE_MODE,
                "canonical_format": settings.HMR_CANONICAL_FORMAT,
                "writable": primary,
            }
        )

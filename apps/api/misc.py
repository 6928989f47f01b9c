"""`/api/`, `/api/heartbeat`, `/api/replicate_mode`."""

from django.conf import settings
from rest_framework.response import Response
from rest_framework.views import APIView

WELCOME = "Welcome to the Horde Model Reference API. See `/api/docs` for interactive documentation."


class WelcomeApi(APIView):
    def get(self, request):
        return Response({"message": WELCOME})


class HeartbeatApi(APIView):
    def get(self, request):
        return Response(
            {
                "status": "ok",
                "ai_horde": {"degraded": False, "consecutive_failures": 0, "seconds_until_retry": None},
            }
        )


class ReplicateModeApi(APIView):
    def get(self, request):
        primary = settings.HMR_REPLICATE_MODE == "PRIMARY"
        return Response(
            {
                "replicate_mode": settings.HMR_REPLICATE_MODE,
                "canonical_format": settings.HMR_CANONICAL_FORMAT,
                "writable": primary,
            }
        )

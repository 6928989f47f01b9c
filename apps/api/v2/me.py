"""`GET /api/model_references/v2/me/roles`: who the key belongs to and which roles they hold."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.selectors import role_names_for_user
from apps.api.permissions import IsReader, request_horde_user
from apps.api.serializers import ErrorSerializer
from apps.api.v2.schemas import RolesSerializer


class MeRolesApi(APIView):
    """Any valid key (no role needed); 401 without a key or with an invalid one, as upstream."""

    permission_classes = [IsReader]

    @extend_schema(
        summary="Who the key belongs to and which roles they hold",
        tags=["identity"],
        responses={200: RolesSerializer, 401: ErrorSerializer, 503: ErrorSerializer},
    )
    def get(self, request):
        user = request_horde_user(request)
        roles = role_names_for_user(horde_user_id=user.user_id)
        body = {
            "user_id": user.user_id,
            "username": user.username,
            "roles": roles,
            "is_approver": "approver" in roles,
            "is_requestor": "requestor" in roles,
        }
        return Response(RolesSerializer(body).data)

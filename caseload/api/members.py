"""A council's users, as its admins manage them: deactivate and reactivate (the licence's
rules apply through caseload.services.members). The list is accounts' (/api/v1/users/)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.views import MemberSerializer
from accounts.models import User
from accounts.selectors import member_get_for_admin
from caseload.services import member_deactivate, member_reactivate


class MemberDeactivateApi(APIView):
    """Stop a user signing in (their cases stay; a councillor's seat is freed). Admins."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: MemberSerializer})
    def post(self, request: Request, user_id: int) -> Response:
        admin: User = request.user  # type: ignore[assignment]
        member = member_get_for_admin(user=admin, user_id=user_id)
        return Response(MemberSerializer(member_deactivate(actor=admin, user=member)).data)


class MemberReactivateApi(APIView):
    """Let a deactivated user sign in again (a councillor needs a free seat). Admins."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: MemberSerializer})
    def post(self, request: Request, user_id: int) -> Response:
        admin: User = request.user  # type: ignore[assignment]
        member = member_get_for_admin(user=admin, user_id=user_id)
        return Response(MemberSerializer(member_reactivate(actor=admin, user=member)).data)

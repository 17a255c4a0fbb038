"""A council's users, as its admins manage them: change their details, deactivate and
reactivate (the licence's rules apply through caseload.services.members). The list is
accounts' (/api/v1/users/)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.views import MemberSerializer
from accounts.models import User
from accounts.selectors import member_get_for_admin
from caseload.services import member_deactivate, member_reactivate, member_update


class MemberDetailApi(APIView):
    """One of the council's users (GET), or change their name, email, role or ward (PATCH:
    only the fields sent change). A role becoming councillor needs a free licence seat; a
    councillor needs one of the council's wards (by name); a role change is audited. Admins."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(required=False, max_length=200)
        email = serializers.EmailField(required=False)
        role = serializers.ChoiceField(
            required=False,
            choices=[User.Role.COUNCILLOR, User.Role.STAFF, User.Role.ADMIN],
        )
        ward = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=200,
            help_text="The ward's name, as in /api/v1/wards/; councillors only.",
        )

    @extend_schema(responses={200: MemberSerializer})
    def get(self, request: Request, user_id: int) -> Response:
        admin: User = request.user  # type: ignore[assignment]
        return Response(MemberSerializer(member_get_for_admin(user=admin, user_id=user_id)).data)

    @extend_schema(request=InputSerializer, responses={200: MemberSerializer})
    def patch(self, request: Request, user_id: int) -> Response:
        admin: User = request.user  # type: ignore[assignment]
        member = member_get_for_admin(user=admin, user_id=user_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        updated = member_update(actor=admin, user=member, **data.validated_data)
        return Response(MemberSerializer(updated).data)


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

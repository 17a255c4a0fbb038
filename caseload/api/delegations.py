"""Delegations API: which Members' Services staff act for which councillor.

The councillor gives a delegation; an admin or the staff member proposes one, which grants
nothing until the councillor confirms it (caseload.services.delegations)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.selectors import member_get_for_admin
from caseload import selectors, services
from caseload.api.common import actor
from caseload.api.serializers import (
    UserRefSerializer,
)
from caseload.models import Delegation
from core.api.inputs import get_or_400
from core.api.schema import list_of
from core.errors import ValidationFailed


class DelegationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    staff = UserRefSerializer()
    councillor = UserRefSerializer()
    status = serializers.SerializerMethodField(
        help_text="active: in force; proposed: waits for the councillor to confirm it "
        "and gives no access until then."
    )
    created_at = serializers.DateTimeField()
    confirmed_at = serializers.DateTimeField(allow_null=True)

    def get_status(self, obj: Delegation) -> str:
        return "active" if obj.confirmed_at is not None else "proposed"


class DelegationListCreateApi(APIView):
    """GET: delegations, in force and proposed (admins: all; others: their own). POST: the
    councillor grants (active at once); an admin or the staff member proposes (status
    proposed, no access until the councillor confirms)."""

    class InputSerializer(serializers.Serializer):
        staff = serializers.IntegerField()
        councillor = serializers.IntegerField()

    @extend_schema(responses={200: list_of(DelegationSerializer)})
    def get(self, request: Request) -> Response:
        rows = selectors.delegation_list(user=actor(request))
        return Response({"results": DelegationSerializer(rows, many=True).data})

    @extend_schema(request=InputSerializer, responses={201: DelegationSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        users = User.objects.in_bulk(
            [data.validated_data["staff"], data.validated_data["councillor"]]
        )
        staff = users.get(data.validated_data["staff"])
        councillor = users.get(data.validated_data["councillor"])
        if staff is None or councillor is None:
            raise ValidationFailed(
                "Unknown user id.",
                extra={"staff" if staff is None else "councillor": ["Not found."]},
            )
        delegation = services.delegation_propose(
            actor=actor(request), staff=staff, councillor=councillor, request=request
        )
        return Response(DelegationSerializer(delegation).data, status=status.HTTP_201_CREATED)


class DelegationDetailApi(APIView):
    """DELETE: end a delegation or withdraw a proposal (the councillor, the staff member or
    an admin)."""

    @extend_schema(responses={204: None})
    def delete(self, request: Request, delegation_id: int) -> Response:
        user = actor(request)
        delegation = selectors.delegation_get_for_user(user=user, delegation_id=delegation_id)
        services.delegation_revoke(actor=user, delegation=delegation, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DelegationConfirmApi(APIView):
    """POST: the councillor confirms a proposed delegation; the staff member then acts for
    them."""

    @extend_schema(request=None, responses={200: DelegationSerializer})
    def post(self, request: Request, delegation_id: int) -> Response:
        user = actor(request)
        delegation = selectors.delegation_get_for_user(user=user, delegation_id=delegation_id)
        delegation = services.delegation_confirm(actor=user, delegation=delegation, request=request)
        return Response(DelegationSerializer(delegation).data)


class DelegationDeclineApi(APIView):
    """POST: the councillor declines a proposed delegation (it is removed)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, delegation_id: int) -> Response:
        user = actor(request)
        delegation = selectors.delegation_get_for_user(user=user, delegation_id=delegation_id)
        services.delegation_decline(actor=user, delegation=delegation, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CaseTransferApi(APIView):
    """Move a councillor's open cases to another councillor (admins; after an election or a
    resignation). Each case records the move; open reminders follow."""

    class InputSerializer(serializers.Serializer):
        to = serializers.IntegerField(help_text="The councillor who takes the cases on.")

    class OutputSerializer(serializers.Serializer):
        moved = serializers.IntegerField()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request: Request, user_id: int) -> Response:
        user = actor(request)
        from_user = member_get_for_admin(user=user, user_id=user_id)  # 403 before 404
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        to_user = get_or_400(User, data.validated_data["to"], "to")
        moved = services.cases_transfer(actor=user, from_user=from_user, to_user=to_user)
        return Response(self.OutputSerializer({"moved": moved}).data)

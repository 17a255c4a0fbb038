"""A councillor's departure in the API (council admins): their cases, and the decisions."""

from __future__ import annotations

from typing import cast

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core.api.inputs import get_or_400
from core.api.schema import list_of
from privacy import selectors
from privacy.services import departure


def _actor(request: Request) -> User:
    return cast(User, request.user)


class DepartingCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.CharField()
    category = serializers.CharField(source="category.name", default=None, allow_null=True)
    ward = serializers.CharField(source="ward.name", default=None, allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)


class ResultSerializer(serializers.Serializer):
    handed_over = serializers.IntegerField()
    closed = serializers.IntegerField()
    exported = serializers.IntegerField()
    anonymised = serializers.IntegerField()


class DecisionInput(serializers.Serializer):
    case_id = serializers.IntegerField()
    decision = serializers.ChoiceField(choices=list(departure.DECISIONS))
    to_user = serializers.IntegerField(required=False, allow_null=True, default=None)
    consent_recorded = serializers.BooleanField(default=False)


class DepartureApi(APIView):
    """GET: the cases a councillor still holds. POST: a decision for some or all of them."""

    class InputSerializer(serializers.Serializer):
        decisions = DecisionInput(many=True, allow_empty=False)

    @extend_schema(responses={200: list_of(DepartingCaseSerializer)})
    def get(self, request: Request, councillor_id: int) -> Response:
        councillor = selectors.councillor_get_for_admin(
            user=_actor(request), councillor_id=councillor_id
        )
        cases = departure.departing_cases(actor=_actor(request), councillor=councillor)
        return Response({"results": DepartingCaseSerializer(cases, many=True).data})

    @extend_schema(request=InputSerializer, responses={200: ResultSerializer})
    def post(self, request: Request, councillor_id: int) -> Response:
        councillor = selectors.councillor_get_for_admin(
            user=_actor(request), councillor_id=councillor_id
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decisions = [
            departure.Decision(
                case_id=item["case_id"],
                decision=item["decision"],
                to_user=get_or_400(User, item["to_user"], "to_user"),
                consent_recorded=item["consent_recorded"],
            )
            for item in data.validated_data["decisions"]
        ]
        result = departure.councillor_departure(
            actor=_actor(request), councillor=councillor, decisions=decisions
        )
        return Response(ResultSerializer(result).data)


class WardDepartureApi(APIView):
    """POST: one decision for every case of several departing councillors (after an
    election): all handed to one colleague, or all closed, or all sent to them."""

    class InputSerializer(serializers.Serializer):
        councillor_ids = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)
        decision = serializers.ChoiceField(choices=list(departure.DECISIONS))
        to_user = serializers.IntegerField(required=False, allow_null=True, default=None)
        consent_recorded = serializers.BooleanField(default=False)

    @extend_schema(request=InputSerializer, responses={200: ResultSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        councillors = [
            selectors.councillor_get_for_admin(user=_actor(request), councillor_id=pk)
            for pk in data.validated_data["councillor_ids"]
        ]
        result = departure.ward_departure(
            actor=_actor(request),
            councillors=councillors,
            decision=data.validated_data["decision"],
            to_user=get_or_400(User, data.validated_data["to_user"], "to_user"),
            consent_recorded=data.validated_data["consent_recorded"],
        )
        return Response(ResultSerializer(result).data)

"""The retention API for council admins: the schedule, the cases about to be anonymised,
legal holds and past runs. Everyone else is refused (403) by the selectors and services."""

from __future__ import annotations

from typing import cast

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from caseload.models import Category
from core.api.inputs import get_or_400
from core.api.schema import list_of
from privacy import selectors, services


def _actor(request: Request) -> User:
    return cast(User, request.user)


class ScheduleLineSerializer(serializers.Serializer):
    category = serializers.IntegerField(source="category.pk", allow_null=True, default=None)
    category_name = serializers.SerializerMethodField()
    keep_months = serializers.IntegerField()
    own = serializers.BooleanField(help_text="False: the category follows the default.")

    def get_category_name(self, line: selectors.ScheduleLine) -> str:
        return line.category.name if line.category is not None else "Default"


class CandidateSerializer(serializers.Serializer):
    case_id = serializers.IntegerField()
    reference = serializers.CharField()
    category = serializers.CharField()
    ward = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)
    found_at = serializers.DateTimeField()
    anonymise_from = serializers.DateTimeField()


class HoldSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case_id = serializers.IntegerField()
    case_reference = serializers.CharField(source="case.reference")
    reason = serializers.CharField()
    placed_by = serializers.CharField(source="placed_by.name")
    created_at = serializers.DateTimeField()
    lifted_at = serializers.DateTimeField(allow_null=True)


class RunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    newly_due = serializers.IntegerField()
    anonymised = serializers.IntegerField()
    waiting = serializers.IntegerField()
    error = serializers.CharField()


# One component for both of the schedule's answers (GET and PUT).
SCHEDULE_LIST = list_of(ScheduleLineSerializer)


class RetentionScheduleApi(APIView):
    """GET: the retention period of every category (and the default). PUT: set one."""

    class InputSerializer(serializers.Serializer):
        category = serializers.IntegerField(
            allow_null=True, help_text="A category's id, or null for the default."
        )
        keep_months = serializers.IntegerField(min_value=1, max_value=240)

    @extend_schema(responses={200: SCHEDULE_LIST})
    def get(self, request: Request) -> Response:
        lines = selectors.retention_schedule_for_admin(user=_actor(request))
        return Response({"results": ScheduleLineSerializer(lines, many=True).data})

    @extend_schema(request=InputSerializer, responses={200: SCHEDULE_LIST})
    def put(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.retention_schedule_set(
            actor=_actor(request),
            category=get_or_400(Category, data.validated_data["category"], "category"),
            keep_months=data.validated_data["keep_months"],
        )
        lines = selectors.retention_schedule_for_admin(user=_actor(request))
        return Response({"results": ScheduleLineSerializer(lines, many=True).data})


class RetentionPreviewApi(APIView):
    """GET: closed cases due for anonymisation, and from when a run may anonymise each."""

    @extend_schema(responses={200: list_of(CandidateSerializer)})
    def get(self, request: Request) -> Response:
        rows = selectors.retention_candidates_for_admin(user=_actor(request))
        return Response({"results": CandidateSerializer(rows, many=True).data})


class LegalHoldListCreateApi(APIView):
    """GET: active holds (`all=true`: lifted ones too). POST: hold a case by its reference."""

    class InputSerializer(serializers.Serializer):
        case_reference = serializers.CharField(max_length=32)
        reason = serializers.CharField(max_length=300)

    @extend_schema(responses={200: list_of(HoldSerializer)})
    def get(self, request: Request) -> Response:
        rows = selectors.legal_holds_for_admin(
            user=_actor(request), include_lifted=request.query_params.get("all") in ("1", "true")
        )
        return Response({"results": HoldSerializer(rows, many=True).data})

    @extend_schema(request=InputSerializer, responses={201: HoldSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = selectors.case_by_reference_for_admin(
            user=_actor(request), reference=data.validated_data["case_reference"]
        )
        hold = services.legal_hold_place(
            actor=_actor(request), case=case, reason=data.validated_data["reason"]
        )
        return Response(HoldSerializer(hold).data, status=status.HTTP_201_CREATED)


class LegalHoldLiftApi(APIView):
    """POST: lift a hold; the case ages again from its closing date."""

    @extend_schema(request=None, responses={200: HoldSerializer})
    def post(self, request: Request, hold_id: int) -> Response:
        hold = selectors.legal_hold_get_for_admin(user=_actor(request), hold_id=hold_id)
        hold = services.legal_hold_lift(actor=_actor(request), hold=hold)
        return Response(HoldSerializer(hold).data)


class RetentionRunListApi(APIView):
    """GET: the last 20 runs."""

    @extend_schema(responses={200: list_of(RunSerializer)})
    def get(self, request: Request) -> Response:
        rows = selectors.retention_runs_for_admin(user=_actor(request))
        return Response({"results": RunSerializer(rows, many=True).data})

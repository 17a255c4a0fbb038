"""The inbound mail triage queue, for Members' Services staff:
GET inbound/triage/, GET inbound/triage/{id}/, POST .../assign/ {case},
POST .../open-case/ {owner, title?, constituent?}, POST .../dismiss/ {reason?}."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caseload.api.common import actor, councillor_or_400
from caseload.selectors import case_get_for_change, constituent_get_for_user
from core.api.schema import list_of
from correspondence import selectors, services


class TriagePagination(CursorPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-received_at", "-id")


class InboundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    received_at = serializers.DateTimeField()
    status = serializers.CharField()
    reason = serializers.CharField()
    from_email = serializers.CharField()
    from_name = serializers.CharField()
    subject = serializers.CharField()
    forwarded_by = serializers.CharField(source="forwarded_by.name", allow_null=True)
    original_from_email = serializers.CharField()
    original_from_name = serializers.CharField()
    original_subject = serializers.CharField()
    original_date = serializers.DateTimeField(allow_null=True)
    attachment_names = serializers.ListField(child=serializers.CharField())
    sender_verified = serializers.BooleanField(
        help_text="Whether the From address was authenticated (DKIM, DMARC or SPF). An "
        "unverified message may not be from who it says: check before filing it."
    )
    sender_check = serializers.CharField(help_text="How the sender was checked, and the result.")
    case_id = serializers.IntegerField(allow_null=True)
    case_reference = serializers.CharField(source="case.reference", allow_null=True)


class InboundDetailSerializer(InboundSerializer):
    body_text = serializers.CharField()


class TriageListApi(APIView):
    pagination_class = TriagePagination

    @extend_schema(responses={200: list_of(InboundSerializer, page=True)})
    def get(self, request: Request) -> Response:
        include_done = request.query_params.get("all") in ("1", "true")
        qs = selectors.triage_list(user=actor(request), include_done=include_done)
        paginator = TriagePagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(InboundSerializer(page, many=True).data)


class TriageDetailApi(APIView):
    @extend_schema(responses={200: InboundDetailSerializer})
    def get(self, request: Request, inbound_id: int) -> Response:
        inbound = selectors.triage_get(user=actor(request), inbound_id=inbound_id)
        return Response(InboundDetailSerializer(inbound).data)


class TriageAssignApi(APIView):
    class InputSerializer(serializers.Serializer):
        case = serializers.IntegerField()

    @extend_schema(request=InputSerializer, responses={200: InboundSerializer})
    def post(self, request: Request, inbound_id: int) -> Response:
        user = actor(request)
        inbound = selectors.triage_get(user=user, inbound_id=inbound_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = case_get_for_change(user=user, case_id=data.validated_data["case"])
        inbound = services.triage_assign(actor=user, inbound=inbound, case=case)
        return Response(InboundSerializer(inbound).data)


class TriageOpenCaseApi(APIView):
    class InputSerializer(serializers.Serializer):
        owner = serializers.IntegerField()
        title = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
        constituent = serializers.IntegerField(required=False, allow_null=True)

    @extend_schema(request=InputSerializer, responses={200: InboundSerializer})
    def post(self, request: Request, inbound_id: int) -> Response:
        user = actor(request)
        inbound = selectors.triage_get(user=user, inbound_id=inbound_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        owner = councillor_or_400(d["owner"])
        assert owner is not None  # owner is a required field
        constituent = (
            constituent_get_for_user(user=user, constituent_id=d["constituent"])
            if d.get("constituent")
            else None
        )
        inbound = services.triage_open_case(
            actor=user, inbound=inbound, owner=owner, title=d["title"], constituent=constituent
        )
        return Response(InboundSerializer(inbound).data)


class TriageDismissApi(APIView):
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)

    @extend_schema(request=InputSerializer, responses={200: InboundSerializer})
    def post(self, request: Request, inbound_id: int) -> Response:
        user = actor(request)
        inbound = selectors.triage_get(user=user, inbound_id=inbound_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        inbound = services.triage_dismiss(
            actor=user, inbound=inbound, reason=data.validated_data["reason"]
        )
        return Response(InboundSerializer(inbound).data)

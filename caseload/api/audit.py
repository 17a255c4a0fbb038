"""The council's audit log in the API: search it (GET /api/v1/audit/) and download the result
as CSV (GET /api/v1/audit/export/), with the web page's filters. For the council's admins
and its data protection officer (403 for anyone else); each search and each download is
itself written to the log. And the admin's switch that makes someone the data protection
officer (PUT /api/v1/users/{id}/data-protection-officer/)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.views import MemberSerializer
from accounts.selectors import member_get_for_admin
from audit.models import AuditAction
from audit.selectors import AuditFilters
from caseload import selectors, services
from caseload.api.common import actor
from caseload.api.pagination import UpdatedCursorPagination
from caseload.audit_csv import EXPORT_MAX_ROWS, csv_rows
from core.api.schema import list_of
from core.csv_writer import csv_response
from core.errors import ValidationFailed


class AuditFilterSerializer(serializers.Serializer):
    person = serializers.IntegerField(
        required=False, min_value=1, help_text="A user's id: who acted, or who was acted upon."
    )
    case = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="A case's id or reference (e.g. FIFE-2026-00042): its reads, and the list "
        "and search pages that showed it.",
    )
    constituent = serializers.IntegerField(required=False, min_value=1)
    kind = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Comma-separated kinds of entry: " + ", ".join(AuditAction.values) + ".",
    )
    date_from = serializers.DateField(required=False, help_text="On or after this day.")
    date_to = serializers.DateField(required=False, help_text="On or before this day.")

    def filters(self) -> AuditFilters:
        d = self.validated_data
        start, end = d.get("date_from"), d.get("date_to")
        if start and end and start > end:
            raise ValidationFailed(
                "date_from is after date_to.",
                extra={"date_to": ["Must be on or after date_from."]},
            )
        return AuditFilters(
            person_id=d.get("person"),
            case=(d.get("case") or "").strip(),
            constituent_id=d.get("constituent"),
            date_from=start,
            date_to=end,
            actions=[k.strip() for k in (d.get("kind") or "").split(",") if k.strip()],
        )


class AuditEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    kind = serializers.CharField(source="action")
    kind_label = serializers.CharField(source="action_label")
    actor_id = serializers.IntegerField(allow_null=True)
    actor_name = serializers.CharField(allow_blank=True)
    actor_email = serializers.CharField(allow_blank=True)
    actor_role = serializers.CharField(allow_blank=True)
    on_behalf_of_id = serializers.IntegerField(allow_null=True)
    on_behalf_of_name = serializers.CharField(allow_blank=True)
    subject_user_id = serializers.IntegerField(allow_null=True)
    subject_user_name = serializers.CharField(allow_blank=True)
    case_ids = serializers.ListField(child=serializers.IntegerField())
    case_references = serializers.ListField(child=serializers.CharField())
    constituent_ids = serializers.ListField(child=serializers.IntegerField())
    summary = serializers.CharField(allow_blank=True)
    detail = serializers.DictField()
    ip_address = serializers.IPAddressField(allow_null=True)


class AuditCursorPagination(UpdatedCursorPagination):
    page_size = 50
    max_page_size = 200
    ordering = ("-at", "-id")


def _filters(request: Request) -> AuditFilters:
    params = AuditFilterSerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.filters()


class AuditListApi(APIView):
    """Search the council's audit log, newest first (keyset pages). Admins and the data
    protection officer only; the search is recorded as `audit_searched`."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[AuditFilterSerializer],
        responses={200: list_of(AuditEntrySerializer, page=True)},
    )
    def get(self, request: Request) -> Response:
        user = actor(request)
        filters = _filters(request)
        entries = selectors.audit_entries_for_user(user=user, filters=filters)
        paginator = AuditCursorPagination()
        page = paginator.paginate_queryset(entries, request, view=self) or []
        selectors.audit_search_record(user=user, filters=filters, shown=len(page), where="api")
        return paginator.get_paginated_response(AuditEntrySerializer(page, many=True).data)


class AuditExportApi(APIView):
    """The search's entries as CSV, newest first (at most 50,000: narrow by date or person
    for more). Admins and the data protection officer only; recorded as `audit_exported`."""

    permission_classes = [IsAuthenticated]

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # The answer is CSV whatever the client accepts; errors stay JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        parameters=[AuditFilterSerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(
                response=OpenApiTypes.STR, description="The matching entries as CSV."
            )
        },
    )
    def get(self, request: Request) -> HttpResponse:
        user = actor(request)
        filters = _filters(request)
        entries = selectors.audit_entries_for_user(user=user, filters=filters)
        rows = list(entries[:EXPORT_MAX_ROWS])
        selectors.audit_export_record(user=user, filters=filters, rows=len(rows))
        return csv_response(filename="audit-log", rows=csv_rows(rows))


class DataProtectionOfficerApi(APIView):
    """Make a staff member or an admin the council's data protection officer (who may search
    the audit log), or end it. Council admins only; recorded as `role_changed`."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        granted = serializers.BooleanField()

    class OutputSerializer(MemberSerializer):
        is_data_protection_officer = serializers.BooleanField()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
    def put(self, request: Request, user_id: int) -> Response:
        admin = actor(request)
        member = member_get_for_admin(user=admin, user_id=user_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.member_set_data_protection_officer(
            actor=admin, user=member, granted=data.validated_data["granted"]
        )
        return Response(self.OutputSerializer(member).data)

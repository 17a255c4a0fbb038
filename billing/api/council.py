"""Billing API on a council's host, for its administrators."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing.api.permissions import IsCouncilAdmin
from billing.export import council_export_chunks, council_export_record
from billing.middleware import licence_for_request
from billing.models import Licence
from billing.selectors import council_councillor_count, licence_invoices
from billing.services import licence_billing_portal_url, licence_change_seats
from billing.services.subscriptions import council_billing_url
from core.api.schema import list_of
from core.errors import NotFound


def _licence(request: Request) -> Licence:
    licence = licence_for_request(request._request)
    if licence is None:
        raise NotFound("This council has no licence record.")
    return licence


class LicenceOutputSerializer(serializers.Serializer):
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    is_read_only = serializers.BooleanField()
    trial_ends_at = serializers.DateTimeField(allow_null=True)
    seats = serializers.IntegerField()
    seats_used = serializers.SerializerMethodField()
    payment_method = serializers.CharField()
    past_due_since = serializers.DateTimeField(allow_null=True)
    last_paid_at = serializers.DateTimeField(allow_null=True)
    retention_until = serializers.DateTimeField(allow_null=True)
    checkout_url = serializers.CharField()
    has_billing_account = serializers.SerializerMethodField()

    def get_has_billing_account(self, licence: Licence) -> bool:
        return bool(licence.stripe_customer_id)

    def get_seats_used(self, licence: Licence) -> int | None:
        return self.context.get("seats_used")


def _licence_data(request: Request, licence: Licence) -> dict:
    used = council_councillor_count(council=request.council)  # type: ignore[attr-defined]
    return LicenceOutputSerializer(licence, context={"seats_used": used}).data


class LicenceApi(APIView):
    """This council's licence: state, trial end, seats bought and used."""

    permission_classes = [IsCouncilAdmin]

    @extend_schema(responses={200: LicenceOutputSerializer})
    def get(self, request: Request) -> Response:
        return Response(_licence_data(request, _licence(request)))


class InvoiceListApi(APIView):
    """The council's invoices, newest first (read from Stripe)."""

    permission_classes = [IsCouncilAdmin]

    class OutputSerializer(serializers.Serializer):
        id = serializers.CharField()
        number = serializers.CharField()
        status = serializers.CharField()
        currency = serializers.CharField()
        amount_due = serializers.IntegerField(help_text="In the currency's smallest unit.")
        amount_paid = serializers.IntegerField()
        created = serializers.DateTimeField(allow_null=True)
        due_date = serializers.DateTimeField(allow_null=True)
        hosted_invoice_url = serializers.CharField()
        invoice_pdf = serializers.CharField()

    @extend_schema(responses={200: list_of(OutputSerializer)})
    def get(self, request: Request) -> Response:
        invoices = licence_invoices(licence=_licence(request))
        return Response({"results": self.OutputSerializer(invoices, many=True).data})


class SeatsApi(APIView):
    """Change the number of paid councillor seats (prorated on the next invoice)."""

    permission_classes = [IsCouncilAdmin]

    class InputSerializer(serializers.Serializer):
        seats = serializers.IntegerField(min_value=1, max_value=1000)

    @extend_schema(request=InputSerializer, responses={200: LicenceOutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        licence = licence_change_seats(
            licence=_licence(request),
            seats=data.validated_data["seats"],
            actor=f"council admin {request.user.email}",  # type: ignore[union-attr]
        )
        return Response(_licence_data(request, licence))


class PortalApi(APIView):
    """A one-time link to Stripe's billing portal (invoices, payment details, seats)."""

    permission_classes = [IsCouncilAdmin]

    class OutputSerializer(serializers.Serializer):
        url = serializers.URLField()

    @extend_schema(request=None, responses={200: OutputSerializer})
    def post(self, request: Request) -> Response:
        url = licence_billing_portal_url(
            licence=_licence(request),
            return_url=council_billing_url(request.council),  # type: ignore[attr-defined]
        )
        return Response(self.OutputSerializer({"url": url}).data)


class ExportApi(APIView):
    """The council's settings, users, officers, templates and statistics, as one JSON document.

    No casework: cases, constituents, correspondence and attachments leave only through the
    data exit, which one admin cannot do alone. Works in every licence state. Each download
    is written to the council's audit log (`exported`).
    """

    permission_classes = [IsCouncilAdmin]

    @extend_schema(responses={200: OpenApiResponse(description="JSON export, streamed")})
    def get(self, request: Request) -> StreamingHttpResponse:
        council = request.council  # type: ignore[attr-defined]
        licence = _licence(request)
        council_export_record(actor=request.user, council_slug=council.slug)  # type: ignore[arg-type]
        response = StreamingHttpResponse(
            council_export_chunks(
                council_slug=council.slug,
                schema_name=council.schema_name,
                licence_state=licence.state,
            ),
            content_type="application/json",
        )
        response["Content-Disposition"] = f'attachment; filename="{council.slug}-export.json"'
        response["Cache-Control"] = "no-store"
        return response

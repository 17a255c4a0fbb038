"""Licences for the central body, on the platform host: billing's services behind the
console's API (/api/v1/platform/licences/, /api/v1/platform/councils/{slug}/licence/...)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing.models import Licence, PaymentMethod
from billing.selectors import licence_get_by_slug, licence_get_with_history, licence_list
from billing.services import (
    licence_cancel,
    licence_convert,
    licence_delete_council_data,
    licence_extend_trial,
)
from console.permissions import IsCentralStaff
from core.api.schema import list_of
from core.errors import NotFound


def _actor(request: Request) -> str:
    return f"central {request.user.email}"  # type: ignore[union-attr]


def _get(slug: str) -> Licence:
    licence = licence_get_by_slug(slug=slug)
    if licence is None:
        raise NotFound(f"No council with slug '{slug}'.")
    return licence


class LicenceSummarySerializer(serializers.Serializer):
    council_slug = serializers.CharField(source="council.slug")
    council_name = serializers.CharField(source="council.name")
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    is_read_only = serializers.BooleanField()
    trial_ends_at = serializers.DateTimeField(allow_null=True)
    seats = serializers.IntegerField()
    payment_method = serializers.CharField()
    stripe_customer_id = serializers.CharField()
    stripe_subscription_id = serializers.CharField()
    past_due_since = serializers.DateTimeField(allow_null=True)
    last_paid_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    retention_until = serializers.DateTimeField(allow_null=True)
    data_deleted_at = serializers.DateTimeField(allow_null=True)
    checkout_url = serializers.CharField()


class TransitionSerializer(serializers.Serializer):
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    actor = serializers.CharField()
    reason = serializers.CharField()
    stripe_event_id = serializers.CharField()
    created_at = serializers.DateTimeField()


class LicenceDetailSerializer(LicenceSummarySerializer):
    transitions = TransitionSerializer(many=True, source="transitions.all")


class PlatformLicenceListApi(APIView):
    """Every council's licence: state, trial end, seats."""

    permission_classes = [IsCentralStaff]

    @extend_schema(responses={200: list_of(LicenceSummarySerializer)})
    def get(self, request: Request) -> Response:
        return Response({"results": LicenceSummarySerializer(licence_list(), many=True).data})


class PlatformLicenceDetailApi(APIView):
    """One council's licence with its full history."""

    permission_classes = [IsCentralStaff]

    @extend_schema(responses={200: LicenceDetailSerializer})
    def get(self, request: Request, slug: str) -> Response:
        licence = licence_get_with_history(slug=slug)
        if licence is None:
            raise NotFound(f"No council with slug '{slug}'.")
        return Response(LicenceDetailSerializer(licence).data)


def _detail(slug: str) -> Response:
    return Response(LicenceDetailSerializer(licence_get_with_history(slug=slug)).data)


class PlatformExtendTrialApi(APIView):
    permission_classes = [IsCentralStaff]

    class InputSerializer(serializers.Serializer):
        days = serializers.IntegerField(min_value=1, max_value=365)
        reason = serializers.CharField(max_length=2000)

    @extend_schema(request=InputSerializer, responses={200: LicenceDetailSerializer})
    def post(self, request: Request, slug: str) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        licence_extend_trial(licence=_get(slug), actor=_actor(request), **data.validated_data)
        return _detail(slug)


class PlatformConvertApi(APIView):
    """Convert to paid: a Stripe customer and a per-seat subscription (invoice or card)."""

    permission_classes = [IsCentralStaff]

    class InputSerializer(serializers.Serializer):
        seats = serializers.IntegerField(min_value=1, max_value=1000)
        payment_method = serializers.ChoiceField(
            choices=PaymentMethod.choices, default=PaymentMethod.INVOICE
        )
        days_until_due = serializers.IntegerField(min_value=1, max_value=120, required=False)

    @extend_schema(request=InputSerializer, responses={200: LicenceDetailSerializer})
    def post(self, request: Request, slug: str) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        licence_convert(licence=_get(slug), actor=_actor(request), **data.validated_data)
        return _detail(slug)


class PlatformCancelApi(APIView):
    """Cancel: read-only plus export, data kept for the retention period."""

    permission_classes = [IsCentralStaff]

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=2000)
        retention_days = serializers.IntegerField(min_value=0, max_value=3650, required=False)

    @extend_schema(request=InputSerializer, responses={200: LicenceDetailSerializer})
    def post(self, request: Request, slug: str) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        licence_cancel(licence=_get(slug), actor=_actor(request), **data.validated_data)
        return _detail(slug)


class PlatformDeleteDataApi(APIView):
    """After the retention period: delete the council's data (needs the slug typed back)."""

    permission_classes = [IsCentralStaff]

    class InputSerializer(serializers.Serializer):
        confirm_slug = serializers.CharField(max_length=60)

    @extend_schema(request=InputSerializer, responses={200: LicenceDetailSerializer})
    def post(self, request: Request, slug: str) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        licence_delete_council_data(
            licence=_get(slug), actor=_actor(request), **data.validated_data
        )
        return _detail(slug)

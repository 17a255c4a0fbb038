"""Caseload settings API (council admins)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caseload import selectors, services
from caseload.api.common import actor


class CaseloadSettingsApi(APIView):
    """GET: the reference prefix, default referral target and whether officers' requests
    for more time are accepted automatically. PATCH: change them (admins)."""

    class Serializer(serializers.Serializer):
        reference_prefix = serializers.CharField(max_length=12, required=False)
        referral_target_days = serializers.IntegerField(required=False)
        auto_accept_extensions = serializers.BooleanField(
            required=False,
            help_text="Accept officers' requests for more time without asking the "
            "councillor (on time is still judged against the original target).",
        )

    @extend_schema(responses={200: Serializer})
    def get(self, request: Request) -> Response:
        return Response(self.Serializer(selectors.caseload_settings_get()).data)

    @extend_schema(request=Serializer, responses={200: Serializer})
    def patch(self, request: Request) -> Response:
        data = self.Serializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        row = services.caseload_settings_update(actor=actor(request), **data.validated_data)
        return Response(self.Serializer(row).data)

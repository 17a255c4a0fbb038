"""Wards and postcode table API (council admins change them; everyone reads)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import is_council_admin
from caseload import selectors, services
from caseload.api.common import actor
from caseload.api.serializers import (
    WardSerializer,
)
from core.api.schema import list_of
from core.errors import PermissionDenied


class WardListCreateApi(APIView):
    """GET: the council's wards (`current=true` for current boundaries). POST: add (admins)."""

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=200)
        code = serializers.CharField(required=False, allow_blank=True, allow_null=True)

    @extend_schema(responses={200: list_of(WardSerializer)})
    def get(self, request: Request) -> Response:
        current = request.query_params.get("current") in ("1", "true")
        return Response(
            {"results": WardSerializer(selectors.ward_list(current_only=current), many=True).data}
        )

    @extend_schema(request=InputSerializer, responses={201: WardSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ward = services.ward_create(actor=actor(request), **data.validated_data)
        return Response(WardSerializer(ward).data, status=status.HTTP_201_CREATED)


class WardDetailApi(APIView):
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=200, required=False)
        code = serializers.CharField(required=False, allow_blank=True, allow_null=True)
        is_current = serializers.BooleanField(required=False)

    @extend_schema(responses={200: WardSerializer})
    def get(self, request: Request, ward_id: int) -> Response:
        return Response(WardSerializer(selectors.ward_get(ward_id=ward_id)).data)

    @extend_schema(request=InputSerializer, responses={200: WardSerializer})
    def patch(self, request: Request, ward_id: int) -> Response:
        ward = selectors.ward_get(ward_id=ward_id)
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        ward = services.ward_update(actor=actor(request), ward=ward, **data.validated_data)
        return Response(WardSerializer(ward).data)


class PostcodeTableUploadApi(APIView):
    """Upload the postcode-to-ward table (ONS Postcode Directory CSV: columns `pcds`,
    `osward`, optional `wardnm`). Replaces the table and re-derives wards of open cases;
    closed cases keep theirs. Admins."""

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField()

    class OutputSerializer(serializers.Serializer):
        rows_loaded = serializers.IntegerField()
        rows_rejected = serializers.IntegerField()
        wards_created = serializers.IntegerField()
        open_cases_rederived = serializers.IntegerField()
        errors = serializers.ListField(child=serializers.DictField())  # type: ignore[assignment]

    @extend_schema(
        request={"multipart/form-data": InputSerializer}, responses={200: OutputSerializer}
    )
    def post(self, request: Request) -> Response:
        # Checked before reading a possibly large file.
        if not is_council_admin(actor(request)):
            raise PermissionDenied("Only a council administrator can do this.")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        result = services.postcode_table_upload(
            actor=actor(request), file=upload, filename=upload.name or ""
        )
        return Response(self.OutputSerializer(result).data)


class PostcodeLookupApi(APIView):
    """The ward of a postcode according to the council's table."""

    class FilterSerializer(serializers.Serializer):
        postcode = serializers.CharField(max_length=10)

    class OutputSerializer(serializers.Serializer):
        ward = WardSerializer(
            allow_null=True, help_text="None when the table has no such postcode."
        )

    @extend_schema(parameters=[FilterSerializer], responses={200: OutputSerializer})
    def get(self, request: Request) -> Response:
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        ward = selectors.ward_for_postcode(params.validated_data["postcode"])
        return Response({"ward": WardSerializer(ward).data if ward else None})

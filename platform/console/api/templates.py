"""Shared templates for central body staff, on the platform host:
GET/POST /api/v1/platform/templates/, GET/PATCH /api/v1/platform/templates/{key}/."""

from __future__ import annotations

from typing import cast

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from console.permissions import IsCentralStaff
from core.api.schema import list_of
from correspondence.shared import selectors, services


class SharedTemplateSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    audience = serializers.CharField()
    subject = serializers.CharField()
    body = serializers.CharField()
    is_standard = serializers.BooleanField()
    version = serializers.IntegerField()
    updated_by = serializers.CharField()
    updated_at = serializers.DateTimeField()


class SharedTemplateListCreateApi(APIView):
    permission_classes = [IsCentralStaff]

    class InputSerializer(serializers.Serializer):
        key = serializers.CharField(max_length=50)
        name = serializers.CharField(max_length=120)
        description = serializers.CharField(required=False, allow_blank=True, default="")
        audience = serializers.CharField()
        subject = serializers.CharField(max_length=300, trim_whitespace=False)
        body = serializers.CharField(trim_whitespace=False)

    @extend_schema(responses={200: list_of(SharedTemplateSerializer)})
    def get(self, request: Request) -> Response:
        rows = selectors.shared_template_list()
        return Response({"results": SharedTemplateSerializer(rows, many=True).data})

    @extend_schema(request=InputSerializer, responses={201: SharedTemplateSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        template = services.shared_template_create(
            actor=cast(User, request.user), **data.validated_data
        )
        return Response(SharedTemplateSerializer(template).data, status=status.HTTP_201_CREATED)


class SharedTemplateDetailApi(APIView):
    permission_classes = [IsCentralStaff]

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=120, required=False)
        description = serializers.CharField(required=False, allow_blank=True)
        subject = serializers.CharField(max_length=300, required=False, trim_whitespace=False)
        body = serializers.CharField(required=False, trim_whitespace=False)

    @extend_schema(responses={200: SharedTemplateSerializer})
    def get(self, request: Request, key: str) -> Response:
        return Response(SharedTemplateSerializer(selectors.shared_template_get(key=key)).data)

    @extend_schema(request=InputSerializer, responses={200: SharedTemplateSerializer})
    def patch(self, request: Request, key: str) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        template = services.shared_template_update(
            actor=cast(User, request.user), key=key, **data.validated_data
        )
        return Response(SharedTemplateSerializer(template).data)

"""Case categories API (council admins change them; everyone reads)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caseload import selectors, services
from caseload.api.common import actor
from caseload.api.serializers import (
    CategorySerializer,
)
from core.api.schema import list_of


class CategoryListCreateApi(APIView):
    """GET: the council's categories (`all=true` includes retired). POST: add (admins)."""

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)
        description = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(responses={200: list_of(CategorySerializer)})
    def get(self, request: Request) -> Response:
        include_inactive = request.query_params.get("all") in ("1", "true")
        rows = selectors.category_list(include_inactive=include_inactive)
        return Response({"results": CategorySerializer(rows, many=True).data})

    @extend_schema(request=InputSerializer, responses={201: CategorySerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        category = services.category_create(actor=actor(request), **data.validated_data)
        return Response(CategorySerializer(category).data, status=status.HTTP_201_CREATED)


class CategoryDetailApi(APIView):
    """PATCH: rename, describe, retire (is_active=false) or restore a category (admins)."""

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100, required=False)
        description = serializers.CharField(required=False, allow_blank=True)
        is_active = serializers.BooleanField(required=False)

    @extend_schema(responses={200: CategorySerializer})
    def get(self, request: Request, category_id: int) -> Response:
        return Response(CategorySerializer(selectors.category_get(category_id=category_id)).data)

    @extend_schema(request=InputSerializer, responses={200: CategorySerializer})
    def patch(self, request: Request, category_id: int) -> Response:
        category = selectors.category_get(category_id=category_id)
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        category = services.category_update(
            actor=actor(request), category=category, **data.validated_data
        )
        return Response(CategorySerializer(category).data)

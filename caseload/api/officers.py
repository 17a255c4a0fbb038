"""Officer directory API: list and add, one officer, suggestions for a case, CSV import."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caseload import selectors, services
from caseload.api.common import actor
from caseload.api.pagination import NameCursorPagination
from caseload.api.serializers import (
    OfficerSerializer,
)
from caseload.models import Category, Ward
from core.api.inputs import IdListField
from core.api.schema import list_of
from core.errors import ValidationFailed


def _categories(ids: list[int]) -> list[Category]:
    found = list(Category.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationFailed("Unknown category id.", extra={"topics": ["Unknown id."]})
    return found


def _wards(ids: list[int]) -> list[Ward]:
    found = list(Ward.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationFailed("Unknown ward id.", extra={"wards": ["Unknown id."]})
    return found


class OfficerInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    email = serializers.CharField(max_length=254)
    job_title = serializers.CharField(required=False, allow_blank=True, default="")
    service = serializers.CharField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(required=False, allow_blank=True, default="")
    topics = IdListField(required=False, default=list)
    wards = IdListField(required=False, default=list)
    is_active = serializers.BooleanField(default=True)
    left_on = serializers.DateField(required=False, allow_null=True, default=None)


class OfficerListCreateApi(APIView):
    """GET: the officer directory (filters: category, ward, q, active). POST: add an
    officer (Members' Services staff and admins)."""

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(required=False, allow_blank=True, default="")
        category = serializers.IntegerField(required=False)
        ward = serializers.IntegerField(required=False)
        active = serializers.ChoiceField(["true", "false", "all"], default="true")

    @extend_schema(
        parameters=[FilterSerializer], responses={200: list_of(OfficerSerializer, page=True)}
    )
    def get(self, request: Request) -> Response:
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        d = params.validated_data
        active = {"true": True, "false": False, "all": None}[d["active"]]
        qs = selectors.officer_list(
            user=actor(request),
            filters=selectors.OfficerFilters(
                active=active, category_id=d.get("category"), ward_id=d.get("ward"), q=d["q"]
            ),
        )
        paginator = NameCursorPagination()
        rows = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(OfficerSerializer(rows or [], many=True).data)

    @extend_schema(request=OfficerInputSerializer, responses={201: OfficerSerializer})
    def post(self, request: Request) -> Response:
        data = OfficerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        d["topics"] = _categories(d["topics"])
        d["wards"] = _wards(d["wards"])
        officer = services.officer_create(actor=actor(request), **d)
        officer = selectors.officer_get(user=actor(request), officer_id=officer.pk)
        return Response(OfficerSerializer(officer).data, status=status.HTTP_201_CREATED)


class OfficerDetailApi(APIView):
    """GET: one officer. PATCH: change details, topics, wards; is_active=false marks left."""

    @extend_schema(responses={200: OfficerSerializer})
    def get(self, request: Request, officer_id: int) -> Response:
        return Response(
            OfficerSerializer(
                selectors.officer_get(user=actor(request), officer_id=officer_id)
            ).data
        )

    @extend_schema(request=OfficerInputSerializer, responses={200: OfficerSerializer})
    def patch(self, request: Request, officer_id: int) -> Response:
        user = actor(request)
        officer = selectors.officer_get(user=user, officer_id=officer_id)
        data = OfficerInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        d = {k: v for k, v in data.validated_data.items() if k in request.data}
        if "topics" in d:
            d["topics"] = _categories(d["topics"])
        if "wards" in d:
            d["wards"] = _wards(d["wards"])
        services.officer_update(actor=user, officer=officer, **d)
        officer = selectors.officer_get(user=user, officer_id=officer_id)
        return Response(OfficerSerializer(officer).data)


class OfficerSuggestApi(APIView):
    """ "Suggest an officer" for a category and/or ward: both match first, then category
    only, then ward only."""

    class FilterSerializer(serializers.Serializer):
        category = serializers.IntegerField(required=False)
        ward = serializers.IntegerField(required=False)
        limit = serializers.IntegerField(required=False, min_value=1, max_value=20, default=5)

    class OutputSerializer(OfficerSerializer):
        match = serializers.CharField()

    @extend_schema(parameters=[FilterSerializer], responses={200: list_of(OutputSerializer)})
    def get(self, request: Request) -> Response:
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        d = params.validated_data
        officers = selectors.officer_suggest(
            user=actor(request),
            category_id=d.get("category"),
            ward_id=d.get("ward"),
            limit=d["limit"],
        )
        return Response({"results": self.OutputSerializer(officers, many=True).data})


class OfficerImportApi(APIView):
    """Import officers from a CSV file (multipart field `file`). Good rows are saved; the
    response lists each rejected row with its problems. Staff and admins."""

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField()

    class OutputSerializer(serializers.Serializer):
        created = serializers.IntegerField()
        updated = serializers.IntegerField()
        rejected = serializers.IntegerField()
        errors = serializers.ListField(child=serializers.DictField())  # type: ignore[assignment]

    @extend_schema(
        request={"multipart/form-data": InputSerializer}, responses={200: OutputSerializer}
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.officer_import_csv(actor=actor(request), file=data.validated_data["file"])
        return Response(self.OutputSerializer(result).data)

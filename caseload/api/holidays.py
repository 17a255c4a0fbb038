"""Holidays API (council admins change them; everyone reads)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caseload import selectors, services
from caseload.api.common import actor
from core.api.schema import list_of


class HolidaySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    date = serializers.DateField()
    name = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]
    is_removed = serializers.BooleanField()


class HolidayListCreateApi(APIView):
    """GET: the council's holidays for `year` (Scottish defaults plus local days). POST: add
    a local holiday (admins)."""

    class FilterSerializer(serializers.Serializer):
        year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
        include_removed = serializers.BooleanField(required=False, default=False)

    class InputSerializer(serializers.Serializer):
        date = serializers.DateField()
        name = serializers.CharField(max_length=120)

    @extend_schema(
        parameters=[FilterSerializer],
        responses={200: list_of(HolidaySerializer, year=serializers.IntegerField())},
    )
    def get(self, request: Request) -> Response:
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        year = params.validated_data.get("year") or timezone.localdate().year
        rows = selectors.holiday_list(
            year=year, include_removed=params.validated_data["include_removed"]
        )
        return Response({"year": year, "results": HolidaySerializer(rows, many=True).data})

    @extend_schema(request=InputSerializer, responses={201: HolidaySerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        holiday = services.holiday_add(
            actor=actor(request),
            day=data.validated_data["date"],
            name=data.validated_data["name"],
        )
        return Response(HolidaySerializer(holiday).data, status=status.HTTP_201_CREATED)


class HolidayDetailApi(APIView):
    """DELETE: make the day a working day again (admins)."""

    @extend_schema(responses={204: None})
    def delete(self, request: Request, holiday_id: int) -> Response:
        holiday = selectors.holiday_get(holiday_id=holiday_id)
        services.holiday_remove(actor=actor(request), holiday=holiday)
        return Response(status=status.HTTP_204_NO_CONTENT)

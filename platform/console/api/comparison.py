"""Central API: the comparison figures, exactly as the comparison page shows them."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from console.permissions import IsCentralStaff
from console.selectors.comparison import comparison_as_dict, comparison_get, parse_month


class ComparisonApi(APIView):
    """Per council: figures over the range and per month, cases by category and by ward.
    `cases_by_ward` is keyed by ward key (the ONS code, "ward-<id>" for a ward without one,
    "none" for cases without a ward); `ward_labels` names each key as the page does (the
    ward's name, with its ONS code when it has one). Counts are rounded at random to
    multiples of 5 in each month, and every figure is built from those rounded months
    (feedback.disclosure); small ones show as "<5"; null means not measured."""

    permission_classes = [IsCentralStaff]

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.STR, description="First month, YYYY-MM"),
            OpenApiParameter("to", OpenApiTypes.STR, description="Last month, YYYY-MM"),
            OpenApiParameter("councils", OpenApiTypes.STR, description="Slugs, comma-separated"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        slugs: list[str] = []
        for value in request.query_params.getlist("councils"):
            slugs += [s.strip() for s in value.split(",") if s.strip()]
        comparison = comparison_get(
            slugs=slugs or None,
            month_from=parse_month(request.query_params.get("from"), name="from"),
            month_to=parse_month(request.query_params.get("to"), name="to"),
        )
        return Response(comparison_as_dict(comparison))

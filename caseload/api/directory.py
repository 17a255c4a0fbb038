"""Reference-data API: officers (+ suggest, + CSV import), categories, wards and the
postcode table, holidays, delegations, caseload settings, and the dashboard feed.

Anyone in the council reads these; officers are kept by Members' Services staff and admins;
the rest is changed by council admins only (the services enforce it).
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.selectors import is_council_admin, member_get_for_admin
from caseload import selectors, services
from caseload.api.common import actor
from caseload.api.pagination import NameCursorPagination
from caseload.api.serializers import (
    CategorySerializer,
    OfficerSerializer,
    UserRefSerializer,
    WardSerializer,
)
from caseload.models import Category, Ward
from core.api.inputs import IdListField, get_or_400
from core.errors import PermissionDenied, ValidationFailed


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


# --- Officers ---------------------------------------------------------------------------------
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

    @extend_schema(parameters=[FilterSerializer], responses={200: OfficerSerializer(many=True)})
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

    @extend_schema(parameters=[FilterSerializer], responses={200: OutputSerializer(many=True)})
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


# --- Categories -------------------------------------------------------------------------------
class CategoryListCreateApi(APIView):
    """GET: the council's categories (`all=true` includes retired). POST: add (admins)."""

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)
        description = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(responses={200: CategorySerializer(many=True)})
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


# --- Wards and postcodes ----------------------------------------------------------------------
class WardListCreateApi(APIView):
    """GET: the council's wards (`current=true` for current boundaries). POST: add (admins)."""

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=200)
        code = serializers.CharField(required=False, allow_blank=True, allow_null=True)

    @extend_schema(responses={200: WardSerializer(many=True)})
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

    @extend_schema(parameters=[FilterSerializer], responses={200: WardSerializer})
    def get(self, request: Request) -> Response:
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        ward = selectors.ward_for_postcode(params.validated_data["postcode"])
        return Response({"ward": WardSerializer(ward).data if ward else None})


# --- Holidays ---------------------------------------------------------------------------------
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

    @extend_schema(parameters=[FilterSerializer], responses={200: HolidaySerializer(many=True)})
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


# --- Delegations ------------------------------------------------------------------------------
class DelegationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    staff = UserRefSerializer()
    councillor = UserRefSerializer()
    created_at = serializers.DateTimeField()


class DelegationListCreateApi(APIView):
    """GET: delegations (admins: all; others: their own). POST: let staff act for a
    councillor (admins)."""

    class InputSerializer(serializers.Serializer):
        staff = serializers.IntegerField()
        councillor = serializers.IntegerField()

    @extend_schema(responses={200: DelegationSerializer(many=True)})
    def get(self, request: Request) -> Response:
        rows = selectors.delegation_list(user=actor(request))
        return Response({"results": DelegationSerializer(rows, many=True).data})

    @extend_schema(request=InputSerializer, responses={201: DelegationSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        users = User.objects.in_bulk(
            [data.validated_data["staff"], data.validated_data["councillor"]]
        )
        staff = users.get(data.validated_data["staff"])
        councillor = users.get(data.validated_data["councillor"])
        if staff is None or councillor is None:
            raise ValidationFailed(
                "Unknown user id.",
                extra={"staff" if staff is None else "councillor": ["Not found."]},
            )
        delegation = services.delegation_grant(
            actor=actor(request), staff=staff, councillor=councillor
        )
        return Response(DelegationSerializer(delegation).data, status=status.HTTP_201_CREATED)


class DelegationDetailApi(APIView):
    """DELETE: revoke a delegation (admins)."""

    @extend_schema(responses={204: None})
    def delete(self, request: Request, delegation_id: int) -> Response:
        delegation = selectors.delegation_get(delegation_id=delegation_id)
        services.delegation_revoke(actor=actor(request), delegation=delegation)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CaseTransferApi(APIView):
    """Move a councillor's open cases to another councillor (admins; after an election or a
    resignation). Each case records the move; open reminders follow."""

    class InputSerializer(serializers.Serializer):
        to = serializers.IntegerField(help_text="The councillor who takes the cases on.")

    class OutputSerializer(serializers.Serializer):
        moved = serializers.IntegerField()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request: Request, user_id: int) -> Response:
        user = actor(request)
        from_user = member_get_for_admin(user=user, user_id=user_id)  # 403 before 404
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        to_user = get_or_400(User, data.validated_data["to"], "to")
        moved = services.cases_transfer(actor=user, from_user=from_user, to_user=to_user)
        return Response(self.OutputSerializer({"moved": moved}).data)


# --- Settings ---------------------------------------------------------------------------------
class CaseloadSettingsApi(APIView):
    """GET: the reference prefix and default referral target. PATCH: change them (admins)."""

    class Serializer(serializers.Serializer):
        reference_prefix = serializers.CharField(max_length=12, required=False)
        referral_target_days = serializers.IntegerField(required=False)

    @extend_schema(responses={200: Serializer})
    def get(self, request: Request) -> Response:
        return Response(self.Serializer(selectors.caseload_settings_get()).data)

    @extend_schema(request=Serializer, responses={200: Serializer})
    def patch(self, request: Request) -> Response:
        data = self.Serializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        row = services.caseload_settings_update(actor=actor(request), **data.validated_data)
        return Response(self.Serializer(row).data)

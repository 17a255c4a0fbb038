"""Constituent API: list/lookup/create (with duplicate warnings), read/update, their cases,
and a duplicate check used while typing."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caseload import selectors, services
from caseload.api.common import actor, councillor_or_400, ward_or_400
from caseload.api.pagination import NameCursorPagination, UpdatedCursorPagination
from caseload.api.serializers import (
    CaseListItemSerializer,
    ConstituentSerializer,
    DuplicateSerializer,
)
from caseload.models import Constituent
from caseload.selectors import read_log
from caseload.services.constituents import duplicates_as_data
from core.api.schema import list_of


class ConstituentInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    address = serializers.CharField(required=False, allow_blank=True, default="")
    postcode = serializers.CharField(required=False, allow_blank=True, default="", max_length=10)
    phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    email = serializers.CharField(required=False, allow_blank=True, default="", max_length=254)
    preferred_contact = serializers.ChoiceField(
        Constituent.PreferredContact.choices, default=Constituent.PreferredContact.ANY
    )
    consent_to_share = serializers.BooleanField(default=False)
    consent_date = serializers.DateField(required=False, allow_null=True, default=None)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    ward = serializers.IntegerField(required=False, allow_null=True, default=None)


class ConstituentListCreateApi(APIView):
    """GET: constituents you may read (`q` looks up name, postcode, email or phone).
    POST: add one; a possible duplicate is a 409 listing the matches, unless
    `allow_duplicate` is true."""

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(required=False, allow_blank=True, max_length=200)

    class InputSerializer(ConstituentInputSerializer):
        owner = serializers.IntegerField(required=False, allow_null=True)
        allow_duplicate = serializers.BooleanField(default=False)

    @extend_schema(
        parameters=[FilterSerializer], responses={200: list_of(ConstituentSerializer, page=True)}
    )
    def get(self, request: Request) -> Response:
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        user = actor(request)
        q = params.validated_data.get("q", "")
        qs = selectors.constituent_list_for_user(user=user, q=q)
        paginator = NameCursorPagination()
        rows = paginator.paginate_queryset(qs, request, view=self) or []
        read_log.constituent_list_record(user=user, rows=rows, where="constituent_api", search=q)
        return paginator.get_paginated_response(ConstituentSerializer(rows, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: ConstituentSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        d["ward"] = ward_or_400(d.get("ward"))
        d["owner"] = councillor_or_400(d.get("owner"))
        constituent = services.constituent_create(actor=actor(request), **d)
        return Response(ConstituentSerializer(constituent).data, status=status.HTTP_201_CREATED)


class ConstituentDetailApi(APIView):
    """GET: one constituent. PATCH: change their details (the owning councillor's side);
    a name, postcode, email or phone that matches another known constituent is a 409
    listing the matches, unless `allow_duplicate` is true."""

    class InputSerializer(ConstituentInputSerializer):
        allow_duplicate = serializers.BooleanField(default=False)

    @extend_schema(responses={200: ConstituentSerializer})
    def get(self, request: Request, constituent_id: int) -> Response:
        user = actor(request)
        constituent = selectors.constituent_get_for_user(user=user, constituent_id=constituent_id)
        read_log.constituent_read_record(user=user, constituent=constituent)
        return Response(ConstituentSerializer(constituent).data)

    @extend_schema(request=InputSerializer, responses={200: ConstituentSerializer})
    def patch(self, request: Request, constituent_id: int) -> Response:
        user = actor(request)
        constituent = selectors.constituent_get_for_user(user=user, constituent_id=constituent_id)
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        # partial=True still fills defaults; only what was sent is a change.
        d = {k: v for k, v in data.validated_data.items() if k in request.data}
        if "ward" in d:
            d["ward"] = ward_or_400(d["ward"])
        constituent = services.constituent_update(actor=user, constituent=constituent, **d)
        return Response(ConstituentSerializer(constituent).data)


class ConstituentCasesApi(APIView):
    """The constituent's cases that you may read, most recently active first."""

    @extend_schema(responses={200: list_of(CaseListItemSerializer, page=True)})
    def get(self, request: Request, constituent_id: int) -> Response:
        user = actor(request)
        constituent = selectors.constituent_get_for_user(user=user, constituent_id=constituent_id)
        qs = selectors.constituent_cases_for_user(user=user, constituent=constituent)
        paginator = UpdatedCursorPagination()
        rows = paginator.paginate_queryset(qs, request, view=self) or []
        read_log.case_list_record(
            user=user,
            rows=rows,
            where="constituent_cases",
            filters={"constituent_id": constituent.pk},
        )
        return paginator.get_paginated_response(CaseListItemSerializer(rows, many=True).data)


class ConstituentDuplicatesApi(APIView):
    """Known constituents (that you may read) matching an email, a phone, or a name at a
    postcode: call while entering a new person."""

    class FilterSerializer(serializers.Serializer):
        name = serializers.CharField(required=False, allow_blank=True, default="")
        postcode = serializers.CharField(required=False, allow_blank=True, default="")
        email = serializers.CharField(required=False, allow_blank=True, default="")
        phone = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(parameters=[FilterSerializer], responses={200: list_of(DuplicateSerializer)})
    def get(self, request: Request) -> Response:
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        matches = selectors.constituent_find_duplicates(
            user=actor(request), **params.validated_data
        )
        return Response({"results": duplicates_as_data(matches)})

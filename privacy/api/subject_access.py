"""The subject access API (/api/v1/subject-access/): the councillor's side, one view per
operation. Councillors and the staff acting for them; admins 403, anyone else 404."""

from __future__ import annotations

from typing import cast

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from caseload.models import Constituent
from core.api.inputs import IdListField, get_or_400
from core.api.schema import list_of
from privacy import selectors, services
from privacy.models import SubjectAccessRequest
from privacy.services.subject_access import current_due_on


def _actor(request: Request) -> User:
    return cast(User, request.user)


class SubjectAccessSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    councillor = serializers.IntegerField(source="councillor_id")
    handled_by = serializers.IntegerField(source="handled_by_id")
    requester_name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    postcode = serializers.CharField()
    received_on = serializers.DateField()
    due_on = serializers.SerializerMethodField(
        help_text="The statutory date as of today (while the clock is stopped, it moves a "
        "day each day)."
    )
    overdue = serializers.SerializerMethodField()
    extension_months = serializers.IntegerField()
    extension_reason = serializers.CharField()
    paused_since = serializers.DateField(allow_null=True)
    paused_days = serializers.IntegerField()
    status = serializers.ChoiceField(choices=SubjectAccessRequest.Status.choices)
    closed_on = serializers.DateField(allow_null=True)
    closing_note = serializers.CharField()
    confirmed_constituent_ids = serializers.ListField(child=serializers.IntegerField())
    case = serializers.IntegerField(source="case_id", allow_null=True)
    bf = serializers.IntegerField(source="bf_id", allow_null=True)
    archives_downloaded = serializers.IntegerField()

    def get_due_on(self, sar: SubjectAccessRequest) -> str:
        return current_due_on(sar).isoformat()

    def get_overdue(self, sar: SubjectAccessRequest) -> bool:
        return not sar.is_closed and current_due_on(sar) < timezone.localdate()


class MatchSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="constituent.pk")
    name = serializers.CharField(source="constituent.name")
    postcode = serializers.CharField(source="constituent.postcode")
    cases = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())
    confirmed = serializers.BooleanField()


def _get(request: Request, request_id: int) -> SubjectAccessRequest:
    return selectors.subject_access_get_for_user(user=_actor(request), request_id=request_id)


def _out(sar: SubjectAccessRequest) -> dict:
    return SubjectAccessSerializer(sar).data


class SubjectAccessListCreateApi(APIView):
    """GET: requests to the councillors you are or act for. POST: record a request."""

    class InputSerializer(serializers.Serializer):
        councillor = serializers.IntegerField(
            required=False, allow_null=True, help_text="Default: you, or your one councillor."
        )
        requester_name = serializers.CharField(max_length=200)
        received_on = serializers.DateField()
        email = serializers.CharField(max_length=254, required=False, allow_blank=True)
        phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
        postcode = serializers.CharField(max_length=10, required=False, allow_blank=True)
        constituent = serializers.IntegerField(
            required=False,
            allow_null=True,
            help_text="Their existing record, as the tracking case's constituent (default: "
            "a new record from these details).",
        )

    @extend_schema(responses={200: list_of(SubjectAccessSerializer)})
    def get(self, request: Request) -> Response:
        rows = selectors.subject_access_list_for_user(user=_actor(request))[:200]
        return Response({"results": SubjectAccessSerializer(rows, many=True).data})

    @extend_schema(request=InputSerializer, responses={201: SubjectAccessSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        sar = services.subject_access_open(
            actor=_actor(request),
            councillor=get_or_400(
                User, values.get("councillor"), "councillor", role=User.Role.COUNCILLOR
            ),
            requester_name=values["requester_name"],
            received_on=values["received_on"],
            email=values.get("email", ""),
            phone=values.get("phone", ""),
            postcode=values.get("postcode", ""),
            constituent=get_or_400(Constituent, values.get("constituent"), "constituent"),
        )
        return Response(_out(sar), status=status.HTTP_201_CREATED)


class SubjectAccessDetailApi(APIView):
    """GET: one request."""

    @extend_schema(responses={200: SubjectAccessSerializer})
    def get(self, request: Request, request_id: int) -> Response:
        return Response(_out(_get(request, request_id)))


class SubjectAccessMatchesApi(APIView):
    """GET: the councillor's records that may be the requester's, and why each was found
    (the request's own details unless others are given)."""

    @extend_schema(
        parameters=[
            OpenApiParameter(name, str, required=False)
            for name in ("name", "email", "phone", "postcode")
        ],
        responses={200: list_of(MatchSerializer)},
    )
    def get(self, request: Request, request_id: int) -> Response:
        sar = _get(request, request_id)
        given = {k: request.query_params.get(k, "") for k in ("name", "email", "phone", "postcode")}
        if not any(given.values()):
            given = {
                "name": sar.requester_name,
                "email": sar.email,
                "phone": sar.phone,
                "postcode": sar.postcode,
            }
        matches = selectors.subject_access_matches(user=_actor(request), sar=sar, **given)
        return Response({"results": MatchSerializer(matches, many=True).data})


class SubjectAccessConfirmApi(APIView):
    """POST: which records are the requester's (replaces the earlier choice)."""

    class InputSerializer(serializers.Serializer):
        constituent_ids = IdListField(allow_empty=True)

    @extend_schema(request=InputSerializer, responses={200: SubjectAccessSerializer})
    def post(self, request: Request, request_id: int) -> Response:
        sar = _get(request, request_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sar = services.subject_access_confirm(
            actor=_actor(request), sar=sar, constituent_ids=data.validated_data["constituent_ids"]
        )
        return Response(_out(sar))


class SubjectAccessExtendApi(APIView):
    """POST: extend by 1 or 2 months (at most 2 in all), with the reason."""

    class InputSerializer(serializers.Serializer):
        months = serializers.IntegerField(min_value=1, max_value=2)
        reason = serializers.CharField(max_length=300)

    @extend_schema(request=InputSerializer, responses={200: SubjectAccessSerializer})
    def post(self, request: Request, request_id: int) -> Response:
        sar = _get(request, request_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sar = services.subject_access_extend(actor=_actor(request), sar=sar, **data.validated_data)
        return Response(_out(sar))


class SubjectAccessPauseApi(APIView):
    """POST: stop the clock while the requester's identity is awaited."""

    @extend_schema(request=None, responses={200: SubjectAccessSerializer})
    def post(self, request: Request, request_id: int) -> Response:
        sar = services.subject_access_pause(actor=_actor(request), sar=_get(request, request_id))
        return Response(_out(sar))


class SubjectAccessResumeApi(APIView):
    """POST: restart the clock; the days it was stopped are added to the due date."""

    @extend_schema(request=None, responses={200: SubjectAccessSerializer})
    def post(self, request: Request, request_id: int) -> Response:
        sar = services.subject_access_resume(actor=_actor(request), sar=_get(request, request_id))
        return Response(_out(sar))


class SubjectAccessCloseApi(APIView):
    """POST: completed (the archive was sent) or refused (with the reason)."""

    class InputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=["completed", "refused"])
        note = serializers.CharField(max_length=500, required=False, allow_blank=True)

    @extend_schema(request=InputSerializer, responses={200: SubjectAccessSerializer})
    def post(self, request: Request, request_id: int) -> Response:
        sar = _get(request, request_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sar = services.subject_access_close(
            actor=_actor(request),
            sar=sar,
            status=data.validated_data["status"],
            note=data.validated_data.get("note", ""),
        )
        return Response(_out(sar))


class SubjectAccessArchiveApi(APIView):
    """GET: the archive (zip: subject-access.json, summary.pdf, the files), built now and
    recorded in the audit log. 422 until the requester's records are confirmed."""

    @extend_schema(responses={(200, "application/zip"): bytes})
    def get(self, request: Request, request_id: int) -> HttpResponse:
        sar = _get(request, request_id)
        filename, content = services.subject_access_archive(actor=_actor(request), sar=sar)
        response = HttpResponse(content, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response

"""Data exit API (council admins only): request the full casework export, approve, refuse
or cancel it, follow its progress and download the archive until it expires. The rules are
in dataexit.services."""

from __future__ import annotations

from typing import cast

from django.http import FileResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core.api.schema import ErrorSerializer, list_of
from dataexit import selectors, services
from dataexit.models import DataExit
from dataexit.services import REASON_MAX


def _actor(request: Request) -> User:
    return cast(User, request.user)


class DataExitPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class DataExitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=DataExit.Status.choices)
    reason = serializers.CharField()
    requested_by = DataExitPersonSerializer()
    decided_by = DataExitPersonSerializer(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_note = serializers.CharField()
    progress_done = serializers.IntegerField()
    progress_total = serializers.IntegerField()
    percent = serializers.IntegerField()
    archive_bytes = serializers.IntegerField(allow_null=True)
    archive_sha256 = serializers.CharField()
    ready_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    downloads = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class DataExitListCreateApi(APIView):
    """GET: the council's data exits, newest first. POST: request the full casework export
    with a reason; another admin must approve it (a council with one admin gets 422)."""

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=REASON_MAX)

    @extend_schema(responses={200: list_of(DataExitSerializer)})
    def get(self, request: Request) -> Response:
        rows = selectors.data_exit_list_for_admin(user=_actor(request))[:100]
        return Response({"results": DataExitSerializer(rows, many=True).data})

    @extend_schema(request=InputSerializer, responses={201: DataExitSerializer})
    def post(self, request: Request) -> Response:
        user = _actor(request)
        selectors.data_exit_list_for_admin(user=user)  # 403 before reading the body
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        exit_ = services.data_exit_request(
            actor=user, reason=data.validated_data["reason"], request=request
        )
        return Response(DataExitSerializer(exit_).data, status=status.HTTP_201_CREATED)


class DataExitDetailApi(APIView):
    """GET: one data exit, with its build's progress."""

    @extend_schema(responses={200: DataExitSerializer})
    def get(self, request: Request, data_exit_id: int) -> Response:
        exit_ = selectors.data_exit_get_for_admin(user=_actor(request), data_exit_id=data_exit_id)
        return Response(DataExitSerializer(exit_).data)


class DataExitApproveApi(APIView):
    """POST: approve another admin's request (never one's own): the councillors are emailed
    and the archive is built."""

    @extend_schema(request=None, responses={200: DataExitSerializer})
    def post(self, request: Request, data_exit_id: int) -> Response:
        user = _actor(request)
        exit_ = selectors.data_exit_get_for_admin(user=user, data_exit_id=data_exit_id)
        exit_ = services.data_exit_approve(actor=user, data_exit=exit_, request=request)
        return Response(DataExitSerializer(exit_).data)


class DataExitRefuseApi(APIView):
    """POST: refuse another admin's request, optionally saying why."""

    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(max_length=REASON_MAX, required=False, allow_blank=True)

    @extend_schema(request=InputSerializer, responses={200: DataExitSerializer})
    def post(self, request: Request, data_exit_id: int) -> Response:
        user = _actor(request)
        exit_ = selectors.data_exit_get_for_admin(user=user, data_exit_id=data_exit_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        exit_ = services.data_exit_refuse(
            actor=user, data_exit=exit_, note=data.validated_data.get("note", ""), request=request
        )
        return Response(DataExitSerializer(exit_).data)


class DataExitCancelApi(APIView):
    """POST: the requester withdraws their request before it is decided."""

    @extend_schema(request=None, responses={200: DataExitSerializer})
    def post(self, request: Request, data_exit_id: int) -> Response:
        user = _actor(request)
        exit_ = selectors.data_exit_get_for_admin(user=user, data_exit_id=data_exit_id)
        exit_ = services.data_exit_cancel(actor=user, data_exit=exit_, request=request)
        return Response(DataExitSerializer(exit_).data)


class DataExitDownloadApi(APIView):
    """GET: the archive (a zip), while it is ready and not expired; every download is
    written to the audit log."""

    @extend_schema(
        responses={
            (200, "application/zip"): bytes,
            422: OpenApiResponse(
                ErrorSerializer, description="Not ready yet, or expired and deleted."
            ),
        }
    )
    def get(self, request: Request, data_exit_id: int) -> FileResponse:
        user = _actor(request)
        exit_ = selectors.data_exit_get_for_admin(user=user, data_exit_id=data_exit_id)
        handle, filename = services.data_exit_download(actor=user, data_exit=exit_, request=request)
        return FileResponse(
            handle, as_attachment=True, filename=filename, content_type="application/zip"
        )

"""Batch replies: POST /api/v1/batches/ (template, cases, channel), GET the list and one
batch with its items."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caseload.api.common import actor
from core.api.inputs import IdListField
from core.api.schema import list_of
from correspondence import selectors, services


class BatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    template_key = serializers.CharField()
    template_name = serializers.CharField()
    channel = serializers.CharField()
    status = serializers.CharField()
    created_by = serializers.CharField(source="created_by.name")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    total = serializers.IntegerField()
    sent = serializers.IntegerField()
    skipped = serializers.IntegerField()
    failed = serializers.IntegerField()
    pending = serializers.IntegerField()


class BatchItemSerializer(serializers.Serializer):
    case_id = serializers.IntegerField()
    reference = serializers.CharField(source="case.reference")
    status = serializers.CharField()
    detail = serializers.CharField()
    action_id = serializers.IntegerField(allow_null=True)


class BatchListCreateApi(APIView):
    class InputSerializer(serializers.Serializer):
        template = serializers.CharField(max_length=50)
        cases = IdListField(allow_empty=False, max_length=2000)
        channel = serializers.ChoiceField(choices=["email", "pdf", "docx"])

    @extend_schema(responses={200: list_of(BatchSerializer)})
    def get(self, request: Request) -> Response:
        rows = selectors.batch_list_for_user(user=actor(request))[:100]
        return Response({"results": BatchSerializer(rows, many=True).data})

    @extend_schema(request=InputSerializer, responses={202: BatchSerializer})
    def post(self, request: Request) -> Response:
        user = actor(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        batch = services.batch_create(
            actor=user, key=d["template"], case_ids=d["cases"], channel=d["channel"]
        )
        batch = selectors.batch_get_for_user(user=user, batch_id=batch.pk)
        return Response(BatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED)


class BatchDetailApi(APIView):
    class OutputSerializer(BatchSerializer):
        items = BatchItemSerializer(many=True)

    @extend_schema(responses={200: OutputSerializer})
    def get(self, request: Request, batch_id: int) -> Response:
        batch = selectors.batch_get_for_user(user=actor(request), batch_id=batch_id)
        batch.items_list = list(selectors.batch_items(batch=batch))  # type: ignore[attr-defined]
        data = BatchSerializer(batch).data
        data["items"] = BatchItemSerializer(batch.items_list, many=True).data  # type: ignore[attr-defined]
        return Response(data)

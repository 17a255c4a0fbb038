"""Templates API on a council's host: /api/v1/templates/ ...

- GET  templates/                 the council's effective templates (its own, else shared)
- POST templates/                 a template only this council has
- GET/PATCH/DELETE templates/{key}/   read; edit the council's copy; remove it (back to shared)
- POST templates/{key}/copy/      copy the shared template; the copy replaces it here
- POST templates/{key}/preview/   merge for a case (or sample data), nothing recorded
- POST templates/{key}/send/      email (outbox + EMAIL_OUT action) or a .docx/PDF letter
                                  (attached, LETTER action) for one case
- GET  correspondence/merge-fields/   the fields a template may use
- GET/PATCH correspondence/letterhead/
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caseload.api.common import actor
from caseload.models import Case
from caseload.selectors import case_get_for_change, case_get_for_user
from core.api.schema import list_of
from correspondence import selectors, services
from correspondence.merge_fields import MERGE_FIELDS
from correspondence.models import CorrespondenceSettings
from correspondence.rendering.sandbox import ALLOWED_FILTERS
from correspondence.selectors import EffectiveTemplate


class TemplateSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    audience = serializers.CharField()
    subject = serializers.CharField()
    body = serializers.CharField()
    source = serializers.CharField(help_text="shared, copy (the council's copy) or council")  # type: ignore[assignment]
    shared_version = serializers.IntegerField(allow_null=True)
    based_on_version = serializers.IntegerField(allow_null=True)
    shared_changed_since_copy = serializers.BooleanField()
    updated_at = serializers.DateTimeField()


def _effective(request: Request, key: str) -> dict:
    template: EffectiveTemplate = selectors.template_get_effective(user=actor(request), key=key)
    return TemplateSerializer(template).data


class TemplateListCreateApi(APIView):
    class InputSerializer(serializers.Serializer):
        key = serializers.CharField(max_length=50)
        name = serializers.CharField(max_length=120)
        description = serializers.CharField(required=False, allow_blank=True, default="")
        audience = serializers.CharField()
        subject = serializers.CharField(max_length=300, trim_whitespace=False)
        body = serializers.CharField(trim_whitespace=False)

    @extend_schema(responses={200: list_of(TemplateSerializer)})
    def get(self, request: Request) -> Response:
        rows = selectors.template_list_effective(user=actor(request))
        return Response({"results": TemplateSerializer(rows, many=True).data})

    @extend_schema(request=InputSerializer, responses={201: TemplateSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        template = services.template_create(actor=actor(request), **data.validated_data)
        return Response(_effective(request, template.key), status=status.HTTP_201_CREATED)


class TemplateDetailApi(APIView):
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=120, required=False)
        description = serializers.CharField(required=False, allow_blank=True)
        subject = serializers.CharField(max_length=300, required=False, trim_whitespace=False)
        body = serializers.CharField(required=False, trim_whitespace=False)

    @extend_schema(responses={200: TemplateSerializer})
    def get(self, request: Request, key: str) -> Response:
        return Response(_effective(request, key))

    @extend_schema(request=InputSerializer, responses={200: TemplateSerializer})
    def patch(self, request: Request, key: str) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.template_update(actor=actor(request), key=key, **data.validated_data)
        return Response(_effective(request, key))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, key: str) -> Response:
        services.template_delete(actor=actor(request), key=key)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TemplateCopyApi(APIView):
    @extend_schema(request=None, responses={201: TemplateSerializer})
    def post(self, request: Request, key: str) -> Response:
        services.template_copy(actor=actor(request), key=key)
        return Response(_effective(request, key), status=status.HTTP_201_CREATED)


class TemplatePreviewApi(APIView):
    """Merge the template (or an unsaved draft of it) for a case, or with sample values
    when no case is given. Records nothing."""

    class InputSerializer(serializers.Serializer):
        case = serializers.IntegerField(required=False, allow_null=True)
        referral = serializers.IntegerField(required=False, allow_null=True)
        subject = serializers.CharField(required=False, trim_whitespace=False)
        body = serializers.CharField(required=False, trim_whitespace=False)

    class OutputSerializer(serializers.Serializer):
        key = serializers.CharField()
        audience = serializers.CharField()
        subject = serializers.CharField()
        body = serializers.CharField()
        recipient_name = serializers.CharField()
        recipient_email = serializers.CharField()
        sample = serializers.BooleanField()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request: Request, key: str) -> Response:
        user = actor(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        case: Case | None = None
        if d.get("case"):
            case = case_get_for_user(user=user, case_id=d["case"])
        prepared = services.correspondence_prepare(
            actor=user,
            key=key,
            case=case,
            referral=d.get("referral"),
            subject=d.get("subject"),
            body=d.get("body"),
        )
        return Response(
            self.OutputSerializer(
                {
                    "key": key,
                    "audience": prepared.template.audience,
                    "subject": prepared.rendered.subject,
                    "body": prepared.rendered.body,
                    "recipient_name": prepared.recipient_name,
                    "recipient_email": prepared.recipient_email,
                    "sample": case is None,
                }
            ).data
        )


class TemplateSendApi(APIView):
    """Send the template for one case: `channel` email (to the constituent, or to the
    referral's officer with their reply link), or a `pdf`/`docx` letter attached to the case.
    With `?download=1` a letter's file is returned instead of JSON."""

    class InputSerializer(serializers.Serializer):
        case = serializers.IntegerField()
        referral = serializers.IntegerField(required=False, allow_null=True)
        channel = serializers.ChoiceField(choices=["email", "pdf", "docx"])

    class OutputSerializer(serializers.Serializer):
        channel = serializers.CharField()
        action_id = serializers.IntegerField()
        to = serializers.CharField(allow_blank=True)
        message_id = serializers.CharField(allow_blank=True)
        attachment_id = serializers.IntegerField(allow_null=True)
        filename = serializers.CharField(allow_blank=True)
        download_url = serializers.CharField(allow_blank=True)

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request, key: str) -> Response | HttpResponse:
        user = actor(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        case = case_get_for_change(user=user, case_id=d["case"])
        if d["channel"] == "email":
            sent = services.correspondence_send_email(
                actor=user, key=key, case=case, referral=d.get("referral")
            )
            out = {
                "channel": "email",
                "action_id": sent.action.pk,
                "to": sent.to,
                "message_id": sent.message_id,
                "attachment_id": None,
                "filename": "",
                "download_url": "",
            }
            return Response(self.OutputSerializer(out).data, status=status.HTTP_201_CREATED)
        letter = services.correspondence_make_letter(
            actor=user, key=key, case=case, fmt=d["channel"], referral=d.get("referral")
        )
        if request.query_params.get("download") in ("1", "true"):
            response = HttpResponse(letter.content, content_type=letter.content_type, status=201)
            response["Content-Disposition"] = f'attachment; filename="{letter.filename}"'
            return response
        out = {
            "channel": d["channel"],
            "action_id": letter.action.pk,
            "to": "",
            "message_id": "",
            "attachment_id": letter.attachment.pk,
            "filename": letter.filename,
            "download_url": f"/api/v1/attachments/{letter.attachment.pk}/download/",
        }
        return Response(self.OutputSerializer(out).data, status=status.HTTP_201_CREATED)


class MergeFieldsApi(APIView):
    """The merge fields templates may use, with what each holds, and the allowed filters."""

    class FieldSerializer(serializers.Serializer):
        field = serializers.CharField()
        description = serializers.CharField()

    class OutputSerializer(serializers.Serializer):
        results = serializers.ListField(child=serializers.DictField())
        filters = serializers.ListField(child=serializers.CharField())

    @extend_schema(responses={200: OutputSerializer})
    def get(self, request: Request) -> Response:
        fields = [
            {"field": f"{ns}.{name}", "description": text}
            for ns, names in MERGE_FIELDS.items()
            for name, text in names.items()
        ]
        return Response(
            {
                "results": self.FieldSerializer(fields, many=True).data,
                "filters": sorted(ALLOWED_FILTERS),
            }
        )


class LetterheadApi(APIView):
    class Serializer(serializers.Serializer):
        letterhead_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
        address = serializers.CharField(required=False, allow_blank=True, max_length=1000)
        phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
        email = serializers.CharField(required=False, allow_blank=True, max_length=254)
        website = serializers.CharField(required=False, allow_blank=True, max_length=200)
        footer = serializers.CharField(required=False, allow_blank=True, max_length=300)
        logo_position = serializers.ChoiceField(
            required=False, choices=CorrespondenceSettings.LogoPosition.choices
        )
        # The logo itself is uploaded on the letterhead page (/letterhead/).
        has_logo = serializers.SerializerMethodField()

        def get_has_logo(self, row: CorrespondenceSettings) -> bool:
            return bool(row.logo_content_type)

    @extend_schema(responses={200: Serializer})
    def get(self, request: Request) -> Response:
        return Response(self.Serializer(selectors.correspondence_settings_get()).data)

    @extend_schema(request=Serializer, responses={200: Serializer})
    def patch(self, request: Request) -> Response:
        data = self.Serializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        row = services.letterhead_update(actor=actor(request), **data.validated_data)
        return Response(self.Serializer(row).data)

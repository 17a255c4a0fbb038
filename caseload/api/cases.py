"""Case API: list/search/create, read/update, close/reopen/status, sharing, history,
referrals, attachments, officer suggestions, access log, and surgery-mode creation.

Every view reads through caseload.selectors (which apply who-sees-what and write each read
to the audit log, caseload.selectors.read_log) and writes through caseload.services.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.models import AuditAction
from caseload import selectors, services
from caseload.api.common import (
    actor,
    category_or_400,
    councillor_or_400,
    officer_or_400,
    ward_or_400,
)
from caseload.api.pagination import RankedPagination, UpdatedCursorPagination
from caseload.api.serializers import (
    CASE_LIST_COLUMNS,
    AccessLogSerializer,
    ActionSerializer,
    AttachmentSerializer,
    CaseDetailSerializer,
    CaseSearchItemSerializer,
    ConstituentSerializer,
    OfficerSerializer,
    ReferralSerializer,
    case_list_row,
)
from caseload.models import Action, Case, Constituent
from caseload.selectors import read_log
from caseload.services.ownership import new_case_owner
from core.api.inputs import IdListField, id_list
from core.api.schema import list_of
from core.errors import NotFound, ValidationFailed


def case_detail_data(user: Any, case: Case) -> dict[str, Any]:
    case.can_change = selectors.case_can_change(user, case)  # type: ignore[attr-defined]
    case.shared_with = sorted(case.shares.values_list("user_id", flat=True))  # type: ignore[attr-defined]
    return dict(CaseDetailSerializer(case).data)


def _reload(user: Any, case: Case) -> Case:
    # The services return the locked row; the output needs the joined, visible form.
    return selectors.case_get_for_user(user=user, case_id=case.pk, log=False)


class CaseListCreateApi(APIView):
    """GET: the cases you may read (filters; `q` = full-text search, ranked). POST: open a
    case for a constituent."""

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(required=False, allow_blank=True, max_length=200)
        status = serializers.CharField(required=False, help_text="Comma-separated statuses.")
        category = serializers.CharField(required=False, help_text="Comma-separated ids.")
        ward = serializers.CharField(required=False, help_text="Comma-separated ids.")
        owner = serializers.CharField(required=False, help_text="Comma-separated user ids.")
        constituent = serializers.IntegerField(required=False)
        open = serializers.BooleanField(required=False, default=False)
        opened_from = serializers.DateField(required=False)
        opened_to = serializers.DateField(required=False)
        updated_from = serializers.DateField(required=False)
        updated_to = serializers.DateField(required=False)

    class InputSerializer(serializers.Serializer):
        constituent = serializers.IntegerField()
        title = serializers.CharField(max_length=200)
        description = serializers.CharField(required=False, allow_blank=True, default="")
        category = serializers.IntegerField(required=False, allow_null=True)
        ward = serializers.IntegerField(required=False, allow_null=True)
        priority = serializers.ChoiceField(Case.Priority.choices, default=Case.Priority.NORMAL)
        owner = serializers.IntegerField(required=False, allow_null=True)
        sharing = serializers.ChoiceField(Case.Sharing.choices, default=Case.Sharing.PRIVATE)
        share_with = IdListField(required=False, default=list)
        opened_at = serializers.DateTimeField(required=False)

    def _filters(self, request: Request) -> selectors.CaseFilters:
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        d = params.validated_data
        return selectors.CaseFilters(
            q=d.get("q", ""),
            statuses=[s.strip() for s in d.get("status", "").split(",") if s.strip()],
            category_ids=id_list(d.get("category", ""), "category"),
            ward_ids=id_list(d.get("ward", ""), "ward"),
            owner_ids=id_list(d.get("owner", ""), "owner"),
            constituent_id=d.get("constituent"),
            open_only=d.get("open", False),
            opened_from=d.get("opened_from"),
            opened_to=d.get("opened_to"),
            updated_from=d.get("updated_from"),
            updated_to=d.get("updated_to"),
        )

    @extend_schema(
        parameters=[FilterSerializer],
        responses={200: list_of(CaseSearchItemSerializer, page=True)},
        description="Keyset-paginated by most recent activity; with `q`, ranked search "
        "results in limit/offset pages.",
    )
    def get(self, request: Request) -> Response:
        filters = self._filters(request)
        user = actor(request)
        qs = selectors.case_list_for_user(user=user, filters=filters)
        if filters.q.strip():
            # The page is ranked and cut from the cases alone, then its rows are fetched
            # with their constituent (see selectors.case_rows_for_user). No rank when
            # nothing searchable was typed (only a reference, or punctuation).
            ranked_by = ("rank",) if "rank" in qs.query.annotations else ()
            ranked = RankedPagination()
            hits = ranked.paginate_queryset(qs.values("pk", *ranked_by), request)
            by_id = selectors.case_rows_for_user(
                user=user, case_ids=[hit["pk"] for hit in hits], columns=CASE_LIST_COLUMNS
            )
            found = [
                by_id[hit["pk"]] | {"rank": hit.get("rank")} for hit in hits if hit["pk"] in by_id
            ]
            read_log.case_list_record(
                user=user, rows=found, where="case_api", search=filters.q, filters=filters
            )
            return ranked.get_paginated_response([case_list_row(row) for row in found])
        cursor = UpdatedCursorPagination()
        rows: list[dict[str, Any]] = (
            cursor.paginate_queryset(qs.values(*CASE_LIST_COLUMNS), request, view=self) or []
        )
        read_log.case_list_record(user=user, rows=rows, where="case_api", filters=filters)
        return cursor.get_paginated_response([case_list_row(c) for c in rows])

    @extend_schema(request=InputSerializer, responses={201: CaseDetailSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        user = actor(request)
        # Who may open a case for whom is answered before looking the constituent up, so
        # someone who may not open cases is told that (403) rather than "not found".
        owner = new_case_owner(actor=user, owner=councillor_or_400(d.get("owner")))
        try:
            constituent = selectors.constituent_get_for_user(
                user=user, constituent_id=d["constituent"]
            )
        except NotFound as exc:
            raise ValidationFailed(exc.message, extra={"constituent": ["Not found."]}) from exc
        case = services.case_open(
            actor=user,
            constituent=constituent,
            title=d["title"],
            description=d["description"],
            category=category_or_400(d.get("category")),
            ward=ward_or_400(d.get("ward")),
            priority=d["priority"],
            owner=owner,
            sharing=d["sharing"],
            share_with_ids=d["share_with"],
            opened_at=d.get("opened_at"),
        )
        return Response(case_detail_data(user, _reload(user, case)), status=status.HTTP_201_CREATED)


class CaseDetailApi(APIView):
    """GET: one case (logged in the access log). PATCH: change its details."""

    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=200, required=False)
        description = serializers.CharField(required=False, allow_blank=True)
        category = serializers.IntegerField(required=False, allow_null=True)
        ward = serializers.IntegerField(required=False, allow_null=True)
        priority = serializers.ChoiceField(Case.Priority.choices, required=False)

    @extend_schema(responses={200: CaseDetailSerializer})
    def get(self, request: Request, case_id: int) -> Response:
        user = actor(request)
        case = selectors.case_get_for_user(user=user, case_id=case_id)
        return Response(case_detail_data(user, case))

    @extend_schema(request=InputSerializer, responses={200: CaseDetailSerializer})
    def patch(self, request: Request, case_id: int) -> Response:
        user = actor(request)
        case = selectors.case_get_for_change(user=user, case_id=case_id)
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        if "category" in d:
            d["category"] = category_or_400(d["category"])
        if "ward" in d:
            d["ward"] = ward_or_400(d["ward"])
        case = services.case_update(actor=user, case=case, **d)
        return Response(case_detail_data(user, _reload(user, case)))


class CaseCloseApi(APIView):
    """Close a case, recording its outcome."""

    class InputSerializer(serializers.Serializer):
        outcome = serializers.ChoiceField(Case.Outcome.choices)
        note = serializers.CharField(required=False, allow_blank=True, default="")
        time_spent_minutes = serializers.IntegerField(required=False, allow_null=True)

    @extend_schema(request=InputSerializer, responses={200: CaseDetailSerializer})
    def post(self, request: Request, case_id: int) -> Response:
        user = actor(request)
        case = selectors.case_get_for_change(user=user, case_id=case_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_close(actor=user, case=case, **data.validated_data)
        return Response(case_detail_data(user, _reload(user, case)))


class CaseReopenApi(APIView):
    """Reopen a closed case."""

    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses={200: CaseDetailSerializer})
    def post(self, request: Request, case_id: int) -> Response:
        user = actor(request)
        case = selectors.case_get_for_change(user=user, case_id=case_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_reopen(actor=user, case=case, **data.validated_data)
        return Response(case_detail_data(user, _reload(user, case)))


class CaseStatusApi(APIView):
    """Move a case to referred, awaiting_reply or reply_received (close/reopen separately)."""

    class InputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(
            [Case.Status.REFERRED, Case.Status.AWAITING_REPLY, Case.Status.REPLY_RECEIVED]
        )
        note = serializers.CharField(required=False, allow_blank=True, default="")
        time_spent_minutes = serializers.IntegerField(required=False, allow_null=True)

    @extend_schema(request=InputSerializer, responses={200: CaseDetailSerializer})
    def post(self, request: Request, case_id: int) -> Response:
        user = actor(request)
        case = selectors.case_get_for_change(user=user, case_id=case_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_change_status(actor=user, case=case, **data.validated_data)
        return Response(case_detail_data(user, _reload(user, case)))


class CaseSharingApi(APIView):
    """GET: how the case is shared. PUT: private, ward (my ward's members) or named."""

    class InputSerializer(serializers.Serializer):
        sharing = serializers.ChoiceField(Case.Sharing.choices)
        user_ids = IdListField(required=False, default=list)

    class OutputSerializer(serializers.Serializer):
        sharing = serializers.CharField()
        user_ids = serializers.ListField(child=serializers.IntegerField())

    @extend_schema(responses={200: OutputSerializer})
    def get(self, request: Request, case_id: int) -> Response:
        case = selectors.case_get_for_user(user=actor(request), case_id=case_id)
        ids = sorted(case.shares.values_list("user_id", flat=True))
        return Response({"sharing": case.sharing, "user_ids": ids})

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
    def put(self, request: Request, case_id: int) -> Response:
        user = actor(request)
        case = selectors.case_get_for_change(user=user, case_id=case_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_set_sharing(
            actor=user,
            case=case,
            sharing=data.validated_data["sharing"],
            user_ids=data.validated_data["user_ids"],
        )
        ids = sorted(case.shares.values_list("user_id", flat=True))
        return Response({"sharing": case.sharing, "user_ids": ids})


class ActionCursorPagination(UpdatedCursorPagination):
    page_size = 50
    ordering = ("-occurred_at", "-id")


class CaseActionsApi(APIView):
    """GET: the case's history, newest first. POST: add a note, call, email in/out, letter,
    meeting or surgery entry."""

    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField([(k.value, k.label) for k in Action.MANUAL_KINDS])
        text = serializers.CharField(max_length=20000)
        occurred_at = serializers.DateTimeField(required=False)
        time_spent_minutes = serializers.IntegerField(required=False, allow_null=True)

    @extend_schema(responses={200: list_of(ActionSerializer, page=True)})
    def get(self, request: Request, case_id: int) -> Response:
        case = selectors.case_get_for_user(
            user=actor(request), case_id=case_id, what=AuditAction.CASE_HISTORY_VIEWED
        )
        paginator = ActionCursorPagination()
        rows = paginator.paginate_queryset(
            selectors.action_list_for_case(case=case), request, view=self
        )
        return paginator.get_paginated_response(ActionSerializer(rows or [], many=True).data)

    @extend_schema(request=InputSerializer, responses={201: ActionSerializer})
    def post(self, request: Request, case_id: int) -> Response:
        user = actor(request)
        case = selectors.case_get_for_change(user=user, case_id=case_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        action = services.action_add(actor=user, case=case, **data.validated_data)
        return Response(ActionSerializer(action).data, status=status.HTTP_201_CREATED)


class CaseReferralsApi(APIView):
    """GET: the case's referrals. POST: refer it to an officer with a target in working days
    (default: the council's setting) or an explicit target date."""

    class InputSerializer(serializers.Serializer):
        officer = serializers.IntegerField()
        working_days = serializers.IntegerField(required=False, min_value=1, max_value=120)
        target_date = serializers.DateField(required=False)
        note = serializers.CharField(required=False, allow_blank=True, default="")
        time_spent_minutes = serializers.IntegerField(required=False, allow_null=True)

    @extend_schema(responses={200: list_of(ReferralSerializer)})
    def get(self, request: Request, case_id: int) -> Response:
        case = selectors.case_get_for_user(
            user=actor(request), case_id=case_id, what=AuditAction.CASE_REFERRALS_VIEWED
        )
        rows = selectors.referral_list_for_case(case=case)
        return Response({"results": ReferralSerializer(rows, many=True).data})

    @extend_schema(request=InputSerializer, responses={201: ReferralSerializer})
    def post(self, request: Request, case_id: int) -> Response:
        user = actor(request)
        case = selectors.case_get_for_change(user=user, case_id=case_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        d["officer"] = officer_or_400(d["officer"])
        referral = services.referral_create(actor=user, case=case, **d)
        return Response(ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)


class ReferralReplyApi(APIView):
    """Record the officer's reply to a referral (sets whether the target was met)."""

    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(required=False, allow_blank=True, default="")
        replied_at = serializers.DateTimeField(required=False)
        time_spent_minutes = serializers.IntegerField(required=False, allow_null=True)

    @extend_schema(request=InputSerializer, responses={200: ReferralSerializer})
    def post(self, request: Request, case_id: int, referral_id: int) -> Response:
        user = actor(request)
        case = selectors.case_get_for_change(user=user, case_id=case_id)
        referral = selectors.referral_list_for_case(case=case).filter(pk=referral_id).first()
        if referral is None:
            raise NotFound(f"No referral with id {referral_id} on this case.")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        referral = services.referral_record_reply(
            actor=user, referral=referral, **data.validated_data
        )
        return Response(ReferralSerializer(referral).data)


class CaseSuggestOfficersApi(APIView):
    """Officers covering the case's category and ward (both first, then category, ward)."""

    class OutputSerializer(OfficerSerializer):
        match = serializers.CharField()

    @extend_schema(responses={200: list_of(OutputSerializer)})
    def get(self, request: Request, case_id: int) -> Response:
        user = actor(request)
        case = selectors.case_get_for_user(user=user, case_id=case_id)
        officers = selectors.officer_suggest(
            user=user, category_id=case.category_id, ward_id=case.ward_id
        )
        return Response({"results": self.OutputSerializer(officers, many=True).data})


class CaseAttachmentsApi(APIView):
    """GET: the case's attachments. POST (multipart, field `file`): attach a file."""

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField()

    @extend_schema(responses={200: list_of(AttachmentSerializer)})
    def get(self, request: Request, case_id: int) -> Response:
        case = selectors.case_get_for_user(
            user=actor(request), case_id=case_id, what=AuditAction.CASE_ATTACHMENTS_VIEWED
        )
        rows = selectors.attachment_list_for_case(case=case)
        return Response({"results": AttachmentSerializer(rows, many=True).data})

    @extend_schema(
        request={"multipart/form-data": InputSerializer}, responses={201: AttachmentSerializer}
    )
    def post(self, request: Request, case_id: int) -> Response:
        user = actor(request)
        case = selectors.case_get_for_change(user=user, case_id=case_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attachment = services.attachment_add(
            actor=user, case=case, file=data.validated_data["file"]
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class AttachmentDownloadApi(APIView):
    """The attachment's bytes (logged in the access log), as a download."""

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request: Request, attachment_id: int) -> FileResponse:
        attachment = selectors.attachment_get_for_user(
            user=actor(request), attachment_id=attachment_id
        )
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError as exc:
            raise NotFound("The attachment's file is missing from storage.") from exc
        return FileResponse(
            handle,
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )


class CaseAccessLogApi(APIView):
    """Who read this case and when, from the council's audit log: every read of it, and every
    list or search page that showed it (the council's admins and data protection officer,
    and whoever may change the case). Looking is itself recorded."""

    @extend_schema(responses={200: list_of(AccessLogSerializer, page=True)})
    def get(self, request: Request, case_id: int) -> Response:
        rows = selectors.access_log_for_case(user=actor(request), case_id=case_id)
        paginator = AccessLogPagination()
        page = paginator.paginate_queryset(rows, request, view=self) or []
        data = [access_log_row(entry, case_id=case_id) for entry in page]
        return paginator.get_paginated_response(AccessLogSerializer(data, many=True).data)


def access_log_row(entry: Any, *, case_id: int) -> dict[str, Any]:
    """An audit entry as a row of the case's access log (the shape the access log had)."""
    refs = entry.case_references
    position = entry.case_ids.index(case_id) if case_id in entry.case_ids else -1
    reference = refs[position] if 0 <= position < len(refs) else (refs[0] if len(refs) == 1 else "")
    return {
        "id": entry.pk,
        "user_id": entry.actor_id,
        "user_email": entry.actor_email,
        "user_name": entry.actor_name,
        "on_behalf_of_id": entry.on_behalf_of_id,
        "case_id": case_id,
        "case_reference": reference,
        "what": entry.action,
        "what_label": entry.action_label,
        "summary": entry.summary,
        "at": entry.at,
    }


class AccessLogPagination(UpdatedCursorPagination):
    page_size = 100
    ordering = ("-at", "-id")


class SurgeryEnquiryApi(APIView):
    """Surgery mode: an existing constituent (`constituent`) or a new one
    (`new_constituent`), and the case, in one request. Nothing is saved unless both are."""

    class NewConstituentSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=200)
        address = serializers.CharField(required=False, allow_blank=True, default="")
        postcode = serializers.CharField(required=False, allow_blank=True, default="")
        phone = serializers.CharField(required=False, allow_blank=True, default="")
        email = serializers.CharField(required=False, allow_blank=True, default="")
        preferred_contact = serializers.ChoiceField(
            Constituent.PreferredContact.choices, default=Constituent.PreferredContact.ANY
        )
        consent_to_share = serializers.BooleanField(default=False)
        consent_date = serializers.DateField(required=False, allow_null=True, default=None)
        notes = serializers.CharField(required=False, allow_blank=True, default="")

    class InputSerializer(serializers.Serializer):
        constituent = serializers.IntegerField(required=False, allow_null=True)
        new_constituent = serializers.DictField(required=False, allow_null=True)
        allow_duplicate = serializers.BooleanField(default=False)
        title = serializers.CharField(max_length=200)
        description = serializers.CharField(required=False, allow_blank=True, default="")
        category = serializers.IntegerField(required=False, allow_null=True)
        priority = serializers.ChoiceField(Case.Priority.choices, default=Case.Priority.NORMAL)
        owner = serializers.IntegerField(required=False, allow_null=True)

    class OutputSerializer(serializers.Serializer):
        constituent = ConstituentSerializer()
        case = CaseDetailSerializer()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request) -> Response:
        user = actor(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        constituent = None
        fields = None
        if d.get("constituent") is not None:
            try:
                constituent = selectors.constituent_get_for_user(
                    user=user, constituent_id=d["constituent"]
                )
            except NotFound as exc:
                raise ValidationFailed(exc.message, extra={"constituent": ["Not found."]}) from exc
        if d.get("new_constituent") is not None:
            new = self.NewConstituentSerializer(data=d["new_constituent"])
            if not new.is_valid():
                raise ValidationFailed(
                    "The new constituent's details have errors; see fields.",
                    extra={"new_constituent": new.errors},
                )
            fields = dict(new.validated_data)
        constituent, case = services.case_open_with_constituent(
            actor=user,
            constituent=constituent,
            constituent_fields=fields,
            allow_duplicate=d["allow_duplicate"],
            title=d["title"],
            description=d["description"],
            category=category_or_400(d.get("category")),
            priority=d["priority"],
            owner=councillor_or_400(d.get("owner")),
        )
        return Response(
            {
                "constituent": ConstituentSerializer(constituent).data,
                "case": case_detail_data(user, _reload(user, case)),
            },
            status=status.HTTP_201_CREATED,
        )

"""BF reminders API, under /api/v1/reminders/ on a council's host.

GET /reminders/ is "my due and overdue BFs" (CONTRACT). The rest: add, read, snooze,
reassign, complete, and the council admin's rules. Services enforce every rule; views only
translate HTTP.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from caseload import selectors as casework
from caseload.api.common import actor
from caseload.api.serializers import CaseListItemSerializer, ReferralSerializer, UserRefSerializer
from caseload.selectors import case_get_for_user, read_log
from core.api.inputs import get_or_400
from core.api.schema import list_of
from core.errors import NotFound
from reminders import selectors, services
from reminders.models import BF, BFRule


class DueCursorPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("due_date", "id")


class CaseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()


class BFOwnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.EmailField()


class BFSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case = CaseRefSerializer()
    due_date = serializers.DateField()
    reason = serializers.CharField()
    owner = BFOwnerSerializer()
    overdue = serializers.SerializerMethodField()
    # The metaclass pops declared fields, so this does not shadow Field.source at runtime.
    source = serializers.CharField()  # type: ignore[assignment]
    rule_id = serializers.IntegerField(allow_null=True)
    referral_id = serializers.IntegerField(allow_null=True)
    snooze_count = serializers.IntegerField()
    done = serializers.BooleanField()
    done_at = serializers.DateTimeField(allow_null=True)
    done_by_id = serializers.IntegerField(allow_null=True)
    done_note = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_overdue(self, bf: BF) -> bool:
        return not bf.done and bf.due_date < timezone.localdate()


class BFRuleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    trigger = serializers.CharField()
    working_days = serializers.IntegerField()
    reason = serializers.CharField()
    is_active = serializers.BooleanField()
    updated_at = serializers.DateTimeField()


def _user_or_400(pk: int | None, field: str = "owner") -> User | None:
    return get_or_400(User, pk, field)


def _bf(request: Request, bf_id: int) -> BF:
    return selectors.bf_get_for_user(user=actor(request), bf_id=bf_id)


def _bf_out(bf_id: int, request: Request) -> dict:
    return dict(BFSerializer(_bf(request, bf_id)).data)


class ReminderListCreateApi(APIView):
    """GET: my BFs due today or overdue (oldest first), on cases I can see.
    `?scope=open` lists all my open BFs whatever the date; `?case=<id>` lists one case's BFs
    (everyone's, done ones too with `include_done=true`). POST: bring a case forward."""

    class FilterSerializer(serializers.Serializer):
        scope = serializers.ChoiceField(["due", "open"], default="due")
        case = serializers.IntegerField(required=False, min_value=1)
        include_done = serializers.BooleanField(default=False)

    class InputSerializer(serializers.Serializer):
        case = serializers.IntegerField(min_value=1)
        due_date = serializers.DateField()
        reason = serializers.CharField(max_length=300)
        owner = serializers.IntegerField(required=False, min_value=1)

    @extend_schema(parameters=[FilterSerializer], responses={200: list_of(BFSerializer, page=True)})
    def get(self, request: Request) -> Response:
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        d = params.validated_data
        user = actor(request)
        if "case" in d:
            qs = selectors.bf_list_for_user(
                user=user, case_id=d["case"], include_done=d["include_done"], mine=False
            )
        elif d["scope"] == "open":
            qs = selectors.bf_list_for_user(user=user, include_done=d["include_done"])
        else:
            qs = selectors.bf_due_for_user(user=user)
        paginator = DueCursorPagination()
        page = paginator.paginate_queryset(qs, request, view=self) or []
        # BFs name their cases (reference, title): the page is a list of casework.
        read_log.case_list_record(
            user=user,
            rows={bf.case_id: bf.case for bf in page}.values(),
            where="reminders_api",
            filters={k: v for k, v in d.items() if k != "include_done" or v},
        )
        return paginator.get_paginated_response(BFSerializer(page, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: BFSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        # The scoped read: a case the user cannot see is a 404, like a missing one.
        case = case_get_for_user(user=actor(request), case_id=d["case"], log=False)
        bf = services.bf_add(
            actor=actor(request),
            case=case,
            due_date=d["due_date"],
            reason=d["reason"],
            owner=_user_or_400(d.get("owner")),
        )
        return Response(_bf_out(bf.pk, request), status=status.HTTP_201_CREATED)


class ReminderDetailApi(APIView):
    @extend_schema(responses={200: BFSerializer})
    def get(self, request: Request, bf_id: int) -> Response:
        return Response(_bf_out(bf_id, request))


class ReminderSnoozeApi(APIView):
    """Move a BF later: to `until`, or `working_days` working days from today (default 1)."""

    class InputSerializer(serializers.Serializer):
        until = serializers.DateField(required=False)
        working_days = serializers.IntegerField(required=False)

    @extend_schema(request=InputSerializer, responses={200: BFSerializer})
    def post(self, request: Request, bf_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.bf_snooze(
            actor=actor(request),
            bf=_bf(request, bf_id),
            until=data.validated_data.get("until"),
            working_days=data.validated_data.get("working_days"),
        )
        return Response(_bf_out(bf_id, request))


class ReminderReassignApi(APIView):
    """Give a BF to the case's councillor or one of the staff acting for them."""

    class InputSerializer(serializers.Serializer):
        owner = serializers.IntegerField(min_value=1)

    @extend_schema(request=InputSerializer, responses={200: BFSerializer})
    def post(self, request: Request, bf_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        bf = _bf(request, bf_id)
        owner = _user_or_400(data.validated_data["owner"])
        assert owner is not None
        services.bf_reassign(actor=actor(request), bf=bf, owner=owner)
        return Response(_bf_out(bf_id, request))


class ReminderCompleteApi(APIView):
    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)

    @extend_schema(request=InputSerializer, responses={200: BFSerializer})
    def post(self, request: Request, bf_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.bf_complete(
            actor=actor(request), bf=_bf(request, bf_id), note=data.validated_data["note"]
        )
        return Response(_bf_out(bf_id, request))


class ReminderRuleListCreateApi(APIView):
    """Council admins: the rules that create BFs automatically."""

    class InputSerializer(serializers.Serializer):
        trigger = serializers.ChoiceField(BFRule.Trigger.choices)
        working_days = serializers.IntegerField()
        reason = serializers.CharField(max_length=300)

    @extend_schema(responses={200: BFRuleSerializer(many=True)})
    def get(self, request: Request) -> Response:
        user = actor(request)
        rules = selectors.bf_rule_list(user=user)
        if not rules.exists():
            services.bf_rules_ensure_defaults()
        return Response(BFRuleSerializer(selectors.bf_rule_list(user=user), many=True).data)

    @extend_schema(request=InputSerializer, responses={201: BFRuleSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rule = services.bf_rule_create(actor=actor(request), **data.validated_data)
        return Response(BFRuleSerializer(rule).data, status=status.HTTP_201_CREATED)


class ReminderRuleDetailApi(APIView):
    class InputSerializer(serializers.Serializer):
        working_days = serializers.IntegerField(required=False)
        reason = serializers.CharField(required=False, max_length=300)
        is_active = serializers.BooleanField(required=False)

    @extend_schema(request=InputSerializer, responses={200: BFRuleSerializer})
    def patch(self, request: Request, rule_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rule = selectors.bf_rule_list(user=actor(request)).filter(pk=rule_id).first()
        if rule is None:
            raise NotFound(f"No reminder rule with id {rule_id}.")
        rule = services.bf_rule_update(actor=actor(request), rule=rule, **data.validated_data)
        return Response(BFRuleSerializer(rule).data)


# --- Dashboard --------------------------------------------------------------------------------
class DashboardBFSerializer(serializers.Serializer):
    """A BF as the dashboard lists it (the full form, and the actions on it, are under
    /api/v1/reminders/)."""

    class CaseRef(serializers.Serializer):
        id = serializers.IntegerField()
        reference = serializers.CharField()
        title = serializers.CharField()
        status = serializers.CharField()

    id = serializers.IntegerField()
    case = CaseRef()
    due_date = serializers.DateField()
    reason = serializers.CharField()
    owner = UserRefSerializer()


class DashboardApi(APIView):
    """What the home page shows: my open cases, BFs due today, overdue and in the next 10
    working days, referrals awaiting a reply and those past target (the same items as the
    morning digest), and recently updated cases."""

    class OutputSerializer(serializers.Serializer):
        today = serializers.DateField()
        my_open_cases = CaseListItemSerializer(many=True)
        bfs_due_today = DashboardBFSerializer(many=True)
        bfs_overdue = DashboardBFSerializer(many=True)
        # Due after today, up to the end of the next 10 working days (upcoming_until).
        bfs_upcoming = DashboardBFSerializer(many=True)
        upcoming_until = serializers.DateField()
        referrals_past_target = ReferralSerializer(many=True)
        referrals_awaiting = ReferralSerializer(many=True)
        recently_updated = CaseListItemSerializer(many=True)

    @extend_schema(responses={200: OutputSerializer})
    def get(self, request: Request) -> Response:
        user = actor(request)
        due = selectors.dashboard_due_items(user=user)
        open_cases = list(casework.my_open_cases(user=user, limit=20))
        recent = list(casework.recently_updated_cases(user=user, limit=10))
        shown = {c.pk: c for c in [*open_cases, *recent, *due.cases()]}
        read_log.case_list_record(user=user, rows=shown.values(), where="dashboard_api")
        return Response(
            self.OutputSerializer(
                {
                    "today": due.today,
                    "my_open_cases": open_cases,
                    "bfs_due_today": due.bfs_due_today,
                    "bfs_overdue": due.bfs_overdue,
                    "bfs_upcoming": due.bfs_upcoming,
                    "upcoming_until": due.upcoming_until,
                    "referrals_past_target": due.referrals_past_target,
                    "referrals_awaiting": due.referrals_awaiting,
                    "recently_updated": recent,
                }
            ).data
        )

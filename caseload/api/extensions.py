"""Officers' requests for more time on a case's referrals: list them, and accept or refuse
one (the owner and the staff acting for them, as on the case page). Accepting moves the date
the reply is due; on time is still judged against the original target (caseload.targets)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.models import AuditAction
from caseload import selectors, services
from caseload.api.common import actor
from caseload.models import ReferralExtension
from core.api.schema import list_of


class ReferralExtensionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    referral_id = serializers.IntegerField()
    requested_date = serializers.DateField()
    previous_target_date = serializers.DateField()
    reason = serializers.CharField()
    state = serializers.ChoiceField(choices=ReferralExtension.State.choices)
    automatic = serializers.BooleanField()
    decided_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class CaseExtensionsApi(APIView):
    """GET: the officers' requests for more time on this case's referrals, newest first."""

    @extend_schema(responses={200: list_of(ReferralExtensionSerializer)})
    def get(self, request: Request, case_id: int) -> Response:
        case = selectors.case_get_for_user(
            user=actor(request), case_id=case_id, what=AuditAction.CASE_REFERRALS_VIEWED
        )
        rows = ReferralExtension.objects.filter(referral__case_id=case.pk).order_by(
            "-created_at", "-id"
        )
        return Response({"results": ReferralExtensionSerializer(rows, many=True).data})


class ExtensionDecideApi(APIView):
    """POST {"decision": "accept"|"refuse"}: answer a request still waiting (409 once
    answered, or once the officer has replied)."""

    class InputSerializer(serializers.Serializer):
        decision = serializers.ChoiceField(choices=["accept", "refuse"])

    @extend_schema(request=InputSerializer, responses={200: ReferralExtensionSerializer})
    def post(self, request: Request, case_id: int, extension_id: int) -> Response:
        user = actor(request)
        case = selectors.case_get_for_change(user=user, case_id=case_id)
        extension = selectors.referral_extension_get_for_case(case=case, extension_id=extension_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decided = services.referral_extension_decide(
            actor=user, extension=extension, accept=data.validated_data["decision"] == "accept"
        )
        return Response(ReferralExtensionSerializer(decided).data)

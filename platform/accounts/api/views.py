from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from drf_spectacular.utils import extend_schema
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.lockout import lockout_message
from accounts.selectors import (
    deactivated_account_message,
    deactivated_user_for_credentials,
    has_second_factor,
    member_list_for_admin,
    two_factor_required,
)
from accounts.services import (
    api_token_create,
    sign_in_record,
    sign_out_record,
    two_factor_verify,
)
from core.api.schema import list_of
from core.api.throttling import ClientIpScopedRateThrottle
from core.errors import ApplicationError


class UserOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField()
    role = serializers.CharField()
    ward = serializers.CharField()


class LockedOut(ApplicationError):
    status_code = 429
    code = "locked_out"


class SecondFactorNeeded(ApplicationError):
    status_code = 401
    code = "otp_required"


class SecondFactorWrong(ApplicationError):
    status_code = 401
    code = "otp_invalid"


class AccountDeactivated(ApplicationError):
    status_code = 403
    code = "account_deactivated"


class SecondFactorNotSetUp(ApplicationError):
    status_code = 403
    code = "two_factor_enrolment_required"


class TokenCreateApi(APIView):
    """Exchange an email and password (and, for an account with two-factor sign-in, the
    current code from its app or a recovery code as `otp`) for an API token valid on this
    host only. Tokens expire (API_TOKEN_TTL_DAYS, 30 by default). Failed attempts count
    towards the lockout of the account and of the client address (10 by default)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ClientIpScopedRateThrottle]
    throttle_scope = "login"

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        password = serializers.CharField(trim_whitespace=False)
        otp = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=40,
            help_text="The 6-digit code from the authenticator app, or a recovery code: "
            "needed when the account uses two-factor sign-in.",
        )

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()
        expiry = serializers.DateTimeField(allow_null=True)
        user = UserOutputSerializer()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer}, auth=[])
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        http_request = request._request
        user = authenticate(
            request=http_request,
            username=data.validated_data["email"],
            password=data.validated_data["password"],
        )
        if getattr(http_request, "axes_locked_out", False):
            raise LockedOut(lockout_message(http_request))
        if user is None and deactivated_user_for_credentials(
            email=data.validated_data["email"], password=data.validated_data["password"]
        ):
            # Only with the right password: nobody else learns the account exists.
            raise AccountDeactivated(deactivated_account_message())
        if user is None or not user.is_active:
            return Response(
                {
                    "error": {
                        "code": "invalid_credentials",
                        "message": "Email or password is wrong.",
                    }
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        if has_second_factor(user):
            self._check_second_factor(http_request, user, data.validated_data.get("otp") or "")
        elif two_factor_required(user):
            raise SecondFactorNotSetUp(
                "This account must use two-factor sign-in: set it up on your account page "
                "on the web (/account/two-factor/), then send its code here as `otp`."
            )
        instance, token = api_token_create(user=user)
        sign_in_record(user=user, via="api_token")
        return Response(
            self.OutputSerializer({"token": token, "expiry": instance.expiry, "user": user}).data
        )

    @staticmethod
    def _check_second_factor(http_request: Any, user: Any, code: str) -> None:
        if not code.strip():
            raise SecondFactorNeeded(
                "This account uses two-factor sign-in: send the 6-digit code from its "
                "authenticator app (or a recovery code) as `otp`, with the email and password."
            )
        credentials = {"username": user.email}
        if not AxesProxyHandler.is_allowed(http_request, credentials):
            raise LockedOut(lockout_message(http_request))
        if two_factor_verify(user=user, code=code) is None:
            user_login_failed.send(sender=__name__, credentials=credentials, request=http_request)
            if getattr(http_request, "axes_locked_out", False):
                raise LockedOut(lockout_message(http_request))
            raise SecondFactorWrong("The code in `otp` is wrong, expired or already used.")


class TokenDeleteApi(APIView):
    """Revoke the token used for this request."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        if isinstance(request.auth, AuthToken):
            request.auth.delete()
            sign_out_record(user=request.user, via="api_token")  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: UserOutputSerializer})
    def get(self, request: Request) -> Response:
        return Response(UserOutputSerializer(request.user).data)


class MemberSerializer(UserOutputSerializer):
    is_active = serializers.BooleanField()


class MemberListApi(APIView):
    """The council's users, for its admins (active and deactivated)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: list_of(MemberSerializer)})
    def get(self, request: Request) -> Response:
        members = member_list_for_admin(user=request.user)  # type: ignore[arg-type]
        return Response({"results": MemberSerializer(members, many=True).data})

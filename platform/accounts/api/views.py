from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import member_list_for_admin
from accounts.services import login_event_record
from core.api.throttling import ClientIpScopedRateThrottle


class UserOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField()
    role = serializers.CharField()
    ward = serializers.CharField()


class TokenCreateApi(APIView):
    """Exchange an email and password for an API token valid on this host only."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ClientIpScopedRateThrottle]
    throttle_scope = "login"

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        password = serializers.CharField(trim_whitespace=False)

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()
        expiry = serializers.DateTimeField(allow_null=True)
        user = UserOutputSerializer()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer}, auth=[])
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request=request._request,
            username=data.validated_data["email"],
            password=data.validated_data["password"],
        )
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
        instance, token = AuthToken.objects.create(user=user)
        login_event_record(user=user)
        return Response(
            self.OutputSerializer({"token": token, "expiry": instance.expiry, "user": user}).data
        )


class TokenDeleteApi(APIView):
    """Revoke the token used for this request."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        if isinstance(request.auth, AuthToken):
            request.auth.delete()
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

    @extend_schema(responses={200: MemberSerializer(many=True)})
    def get(self, request: Request) -> Response:
        members = member_list_for_admin(user=request.user)  # type: ignore[arg-type]
        return Response({"results": MemberSerializer(members, many=True).data})

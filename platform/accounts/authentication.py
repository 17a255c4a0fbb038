from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication
from rest_framework import exceptions

from accounts.selectors import ALWAYS_TWO_FACTOR, has_second_factor
from core.tenancy import in_public_schema


class CouncilTokenAuthentication(TokenAuthentication):
    """Knox tokens (stored hashed), checked against the host's council.

    Tokens live in the issuing council's schema, so another council's lookup finds nothing.
    We still check explicitly that the user belongs on this host, so a token can never be
    used across the council / platform boundary even if tables were shared by mistake.
    """

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        on_platform_site = in_public_schema()
        if on_platform_site != user.is_central:
            raise exceptions.AuthenticationFailed("This token is not valid on this site.")
        # A token made before the user became an admin (who must use a second factor) stops
        # working until they have set one up. Checked only for those roles: one query.
        if user.role in ALWAYS_TWO_FACTOR and not has_second_factor(user):
            raise exceptions.AuthenticationFailed(
                "Set up two-factor sign-in on the web, then create a new token."
            )
        return user, token

    def _cleanup_token(self, auth_token: Any) -> bool:
        """True (skip it) when this token has expired, which also deletes it.

        knox's own version loads all of the user's tokens on every request to delete the
        expired ones: one query per API call. Checking only the presented token keeps
        expiry (REST_KNOX["TOKEN_TTL"]) working; api_token_create deletes the user's
        expired tokens when it makes a new one.
        """
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


class CouncilTokenScheme(KnoxTokenScheme):
    """OpenAPI: the same `Authorization: Token <token>` header as knox's own scheme.

    drf-spectacular matches extensions to the exact class, so without this every view
    using CouncilTokenAuthentication warns, and `check --deploy` (which builds the schema)
    is not clean."""

    target_class = "accounts.authentication.CouncilTokenAuthentication"

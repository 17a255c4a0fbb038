"""The signed one-time link of a "forgot your password" email.

Django's generator ties a token to the password hash and last sign-in, so it stops working
once used. Invitations (set-password links) use Django's default generator and
PASSWORD_RESET_TIMEOUT (days); a reset link has its own salt, so neither kind of link
works as the other, and a much shorter life (ACCOUNTS_PASSWORD_RESET_MINUTES).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.http import base36_to_int


class PasswordResetLinkGenerator(PasswordResetTokenGenerator):
    key_salt = "accounts.tokens.PasswordResetLinkGenerator"

    def check_token(self, user: Any, token: str | None) -> bool:
        if not super().check_token(user, token):
            return False
        try:
            issued = base36_to_int(str(token).split("-", 1)[0])
        except ValueError:
            return False
        age = self._num_seconds(self._now()) - issued
        return age <= int(settings.ACCOUNTS_PASSWORD_RESET_MINUTES) * 60


password_reset_link = PasswordResetLinkGenerator()

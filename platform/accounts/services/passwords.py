"""Changing a password, and the emailed reset link (ASVS 6.4: single use, expiring, and
never a way around the second factor: a reset only sets the password, and signing in
afterwards asks for the code as before)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from knox.models import AuthToken

from accounts.models import User
from accounts.services.notices import account_email, security_notice, site_url
from accounts.signals import account_security_event
from accounts.tokens import password_reset_link
from core.errors import ValidationFailed
from core.rate_limit import rate_limit_hit


def _set_password(*, user: User, password: str) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), extra={"password": exc.messages}) from exc
    user.set_password(password)
    user.save(update_fields=["password", "updated_at"])
    # A new password hash already ends every web session (Django checks each against it);
    # API tokens are not tied to the password, so they go explicitly.
    AuthToken.objects.filter(user=user).delete()


@transaction.atomic
def password_change(*, user: User, current_password: str, password: str) -> None:
    """The user changes their own password: every other session and every API token end
    (the view keeps the session it was changed in)."""
    if not user.check_password(current_password):
        raise ValidationFailed(
            "Your current password is wrong.", extra={"current_password": ["Wrong password."]}
        )
    _set_password(user=user, password=password)
    security_notice(user=user, what="Your password was changed")
    account_security_event.send(
        sender=User, actor=user, user=user, action="password_changed", detail=""
    )


@transaction.atomic
def password_reset_complete(*, user: User, password: str) -> None:
    """Set the password chosen through a reset (or invitation) link. Signs nobody in."""
    _set_password(user=user, password=password)
    if user.last_login is not None:  # an invitation's first password is no news
        security_notice(user=user, what="Your password was reset")
    account_security_event.send(
        sender=User, actor=user, user=user, action="password_reset", detail=""
    )


def password_reset_url(*, user: User) -> str:
    path = reverse(
        "accounts:password-reset-confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": password_reset_link.make_token(user),
        },
    )
    return site_url(path)


@transaction.atomic
def password_reset_request(*, email: str, client_address: str) -> None:
    """Email a reset link to the active user with this address on this site, if there is
    one. The caller says the same thing either way, so nobody learns who has an account.
    Limited per client address and per email address, so the form cannot flood a mailbox."""
    email = email.strip().lower()
    if rate_limit_hit(
        key=f"password-reset:ip:{client_address}",
        limit=int(settings.ACCOUNTS_PASSWORD_RESET_PER_IP_HOUR),
        window_seconds=3600,
    ) or rate_limit_hit(
        key=f"password-reset:email:{email}",
        limit=int(settings.ACCOUNTS_PASSWORD_RESET_PER_EMAIL_HOUR),
        window_seconds=3600,
    ):
        return
    user = User.objects.filter(email=email, is_active=True).first()
    if user is None:
        return
    minutes = int(settings.ACCOUNTS_PASSWORD_RESET_MINUTES)
    account_email(
        user=user,
        subject=f"{settings.PLATFORM_NAME}: reset your password",
        body=(
            f"Hello {user.name},\n\nSomeone (we hope you) asked to reset the password of "
            f"your {settings.PLATFORM_NAME} account, {user.email}. To choose a new one, open "
            f"this link within {minutes} minutes:\n\n{password_reset_url(user=user)}\n\n"
            "It works once. If you did not ask, ignore this email: your password stays as "
            "it is. If you sign in with a second factor, you will still need it.\n"
        ),
        kind="password_reset",
    )

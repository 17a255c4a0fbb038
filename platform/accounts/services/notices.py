"""Emails about a user's own account (reset links, security changes), through the outbox.

accounts sits below mailer in the layers, so it sends with Django's email API and
ACCOUNTS_EMAIL_BACKEND (mailer.backends.OutboxEmailBackend): the email becomes an outbox row
in the current schema, committed with the change it reports.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from accounts.models import User
from core.links import current_council_url, platform_url
from core.tenancy import in_public_schema


def site_url(path: str = "/") -> str:
    """An absolute link on the site this schema belongs to (a council's host, or the
    central body's for public)."""
    return platform_url(path) if in_public_schema() else current_council_url(path)


def account_email(*, user: User, subject: str, body: str, kind: str) -> None:
    message = EmailMessage(subject=subject, body=body, to=[user.email])
    message.outbox_kind = kind  # type: ignore[attr-defined]
    get_connection(settings.ACCOUNTS_EMAIL_BACKEND).send_messages([message])


def security_notice(*, user: User, what: str) -> None:
    """Tell the user something changed on their account, so a change they did not make
    does not go unnoticed."""
    account_email(
        user=user,
        subject=f"{settings.PLATFORM_NAME}: {what}",
        body=(
            f"Hello {user.name},\n\n{what} on your {settings.PLATFORM_NAME} account "
            f"({user.email}).\n\nIf this was not you or your administrator, tell your "
            f"administrator at once and change your password: {site_url('/password-reset/')}\n"
        ),
        kind="account_security",
    )

"""Ending sessions and issuing API tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from knox.models import AuthToken

from accounts.models import User
from accounts.signals import account_security_event
from core.errors import Conflict


@transaction.atomic
def sign_out_everywhere(*, user: User, actor: User | None = None, record: bool = True) -> None:
    """End every web session of `user` (each is checked against a hash that includes
    `session_generation`) and revoke all their API tokens. The caller keeps its own session
    alive, if it should, with Django's update_session_auth_hash."""
    User.objects.filter(pk=user.pk).update(
        session_generation=F("session_generation") + 1, updated_at=timezone.now()
    )
    user.refresh_from_db(fields=["session_generation", "updated_at"])
    AuthToken.objects.filter(user=user).delete()
    if record:
        account_security_event.send(
            sender=User,
            actor=actor or user,
            user=user,
            action="signed_out_everywhere",
            detail="Every session and API token ended.",
        )


@transaction.atomic
def api_token_create(*, user: User) -> tuple[AuthToken, str]:
    """A new API token for `user` (expiring after REST_KNOX's TOKEN_TTL). Expired tokens are
    deleted first; a user already holding TOKEN_LIMIT_PER_USER live ones gets a 409."""
    User.objects.select_for_update().filter(pk=user.pk).first()  # one creation at a time
    now = timezone.now()
    AuthToken.objects.filter(user=user, expiry__lt=now).delete()
    limit = int(settings.REST_KNOX["TOKEN_LIMIT_PER_USER"])
    if AuthToken.objects.filter(user=user).count() >= limit:
        raise Conflict(
            f"You already have {limit} API tokens, the most allowed. Revoke one you no longer "
            "use (POST /api/v1/auth/logout/ with it), or sign out everywhere from your "
            "account page."
        )
    return AuthToken.objects.create(user=user)

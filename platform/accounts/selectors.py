from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from core.errors import NotFound, PermissionDenied
from core.links import council_url
from core.tenancy import in_public_schema


def user_list_councillors() -> QuerySet[User]:
    return User.objects.filter(role=User.Role.COUNCILLOR, is_active=True)


def user_count_councillors() -> int:
    return user_list_councillors().count()


def is_council_admin(user: Any) -> bool:
    """An active admin of the council whose schema the connection is in (never on the
    platform site, whose users are central staff). The one check of who administers a
    council: pages, both APIs and services all ask it. Anyone else (an anonymous visitor
    too) is not."""
    return (
        bool(getattr(user, "is_authenticated", False))
        and bool(user.is_active)
        and getattr(user, "role", None) == User.Role.ADMIN
        and not in_public_schema()
    )


def member_list_for_admin(*, user: User) -> QuerySet[User]:
    """Everyone who can (or could) sign in to this council, for its admins only."""
    if not is_council_admin(user):
        raise PermissionDenied("Only the council's admins can manage its users.")
    return User.objects.exclude(role=User.Role.CENTRAL).order_by("role", "name", "id")


def member_get_for_admin(*, user: User, user_id: int) -> User:
    """One of this council's users, active or not, for its admins: PermissionDenied for
    anyone else (before any lookup), NotFound for an unknown id."""
    member = member_list_for_admin(user=user).filter(pk=user_id).first()
    if member is None:
        raise NotFound(f"No user with id {user_id}.")
    return member


def set_password_url(*, user: User, council_slug: str) -> str:
    """The link with which `user` (invited without a password) chooses one, on their
    council's own host, where their account lives. It works once, for PASSWORD_RESET_TIMEOUT."""
    path = reverse(
        "accounts:set-password",
        urlconf=settings.ROOT_URLCONF,
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return council_url(slug=council_slug, path=path)


# --- Figures for the central body's comparison (numbers only) ---------------------------------
def councillor_joined_dates() -> list[date]:
    """The local date each active councillor's account was made (councillors per month)."""
    return [
        timezone.localtime(created).date()
        for created in user_list_councillors().values_list("created_at", flat=True)
    ]


def user_count_active() -> int:
    return User.objects.filter(is_active=True).count()


def last_login_at() -> datetime | None:
    return User.objects.aggregate(last=Max("last_login"))["last"]

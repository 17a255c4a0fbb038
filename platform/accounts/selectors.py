from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.models import User
from core.errors import NotFound, PermissionDenied
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

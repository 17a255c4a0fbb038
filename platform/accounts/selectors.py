from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from core.errors import NotFound, PermissionDenied
from core.tenancy import in_public_schema


def user_list_councillors() -> QuerySet[User]:
    return User.objects.filter(role=User.Role.COUNCILLOR, is_active=True)


def user_count_councillors() -> int:
    return user_list_councillors().count()


def member_get(*, user_id: int) -> User:
    """A user of the current council (admin pages): any role but central staff, active or
    not; NotFound otherwise."""
    member = User.objects.exclude(role=User.Role.CENTRAL).filter(pk=user_id).first()
    if member is None:
        raise NotFound(f"No user with id {user_id}.")
    return member


def member_list_for_admin(*, user: User) -> QuerySet[User]:
    """Everyone who can (or could) sign in to this council, for its admins only."""
    if in_public_schema() or not (user.is_active and user.role == User.Role.ADMIN):
        raise PermissionDenied("Only the council's admins can list its users.")
    return User.objects.exclude(role=User.Role.CENTRAL).order_by("role", "name", "id")

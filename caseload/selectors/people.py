"""Reads of who works with whom: delegations, whom a new case can be for, and colleagues
to share a case with."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import User
from accounts.selectors import is_council_admin
from caseload.models import (
    Delegation,
)
from caseload.selectors.access import acting_for_ids
from core.errors import NotFound


def delegation_list(*, user: User) -> QuerySet[Delegation]:
    """Admins see every delegation; staff the ones they hold; councillors the ones they gave
    (each in force or proposed: `confirmed_at` says which)."""
    qs = Delegation.objects.select_related("staff", "councillor", "granted_by")
    if is_council_admin(user):
        return qs
    return qs.filter(Q(staff_id=user.pk) | Q(councillor_id=user.pk))


def delegation_pending_for_councillor(*, user: User) -> QuerySet[Delegation]:
    """Proposals waiting for `user` (a councillor) to confirm or decline."""
    return (
        Delegation.objects.pending()
        .filter(councillor_id=user.pk)
        .select_related("staff", "granted_by")
    )


def delegation_get_for_user(*, user: User, delegation_id: int | str) -> Delegation:
    """A delegation `user` is party to (admins: any); NotFound otherwise, so whether one
    exists between other people does not leak."""
    try:
        return delegation_list(user=user).get(pk=int(delegation_id))
    except (TypeError, ValueError, Delegation.DoesNotExist):
        raise NotFound(f"No delegation with id {delegation_id!s}.") from None


def delegation_get(*, delegation_id: int | str) -> Delegation:
    try:
        return Delegation.objects.select_related("staff", "councillor").get(pk=int(delegation_id))
    except (TypeError, ValueError, Delegation.DoesNotExist):
        raise NotFound(f"No delegation with id {delegation_id!s}.") from None


def owner_choices_for_user(*, user: User) -> QuerySet[User]:
    """Councillors `user` may open a case for: themselves, or those who delegated to them."""
    return User.objects.filter(
        pk__in=acting_for_ids(user), role=User.Role.COUNCILLOR, is_active=True
    ).order_by("name")


def share_candidates_for_user(*, user: User) -> QuerySet[User]:
    """Colleagues a case can be shared with by name: the council's other active councillors."""
    return (
        User.objects.filter(role=User.Role.COUNCILLOR, is_active=True)
        .exclude(pk=user.pk)
        .order_by("name")
    )


def ward_colleagues_for_user(*, user: User) -> QuerySet[User]:
    """The other councillors of `user`'s ward (who see cases shared with "my ward")."""
    if not user.ward:
        return User.objects.none()
    return share_candidates_for_user(user=user).filter(ward=user.ward)

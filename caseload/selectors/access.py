"""Who sees what. Every read of casework goes through these rules.

- A councillor sees the cases they own, cases shared with their ward's members when they sit
  for the owner's ward, and cases shared with them by name.
- Members' Services staff see the cases of the councillors who delegated to them (granted by
  an admin), and act for those councillors.
- Council admins manage users, categories, officers, wards and holidays but do NOT read
  constituents' casework: that is personal, often special-category, data and administering
  the system is no reason to read it. An admin who also supports a councillor is given a
  staff account with a delegation.
- Central body staff never see a council's casework (they are not users of a council).

Only the owner and their delegated staff may change a case; colleagues it is shared with
read it. An invisible case is a 404, exactly like a missing one, so existence never leaks.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User
from caseload.models import Case, CaseShare, Delegation


def _is_active_member(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(user.is_active)


def delegated_councillor_ids(user: User) -> QuerySet[Delegation, int]:
    """Subquery of the councillors `user` (staff) acts for."""
    return Delegation.objects.filter(staff_id=user.pk, councillor__is_active=True).values_list(
        "councillor_id", flat=True
    )


def acting_for_ids(user: User) -> list[int]:
    """Ids of the councillors `user` may open cases and act for: self, or delegators."""
    if not _is_active_member(user):
        return []
    if user.role == User.Role.COUNCILLOR:
        return [user.pk]
    if user.role == User.Role.STAFF:
        return list(delegated_councillor_ids(user))
    return []


def _councillor_reach(user: User) -> tuple[list[int], list[int]]:
    """(ward colleagues' ids, ids of cases shared with `user` by name), in one query."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 'w', id FROM {User._meta.db_table} WHERE ward = %s AND ward <> '' "
            f"AND role = %s AND id <> %s "
            f"UNION ALL SELECT 's', case_id FROM {CaseShare._meta.db_table} WHERE user_id = %s",
            [user.ward, User.Role.COUNCILLOR, user.pk, user.pk],
        )
        rows = cursor.fetchall()
    return [i for k, i in rows if k == "w"], [i for k, i in rows if k == "s"]


def case_visible_q(user: User) -> Q:
    """The filter of cases `user` may read. Use on Case querysets only.

    Each arm is on an indexed column with literal ids (owner_id / id), so PostgreSQL can
    combine them with other indexes (e.g. BitmapAnd with the full-text GIN index) instead of
    filtering every candidate row: a search in a council of 100,000 cases then reads only
    the matching rows the user may see. Costs one small query to compute the ids.
    """
    if not _is_active_member(user):
        return Q(pk__in=[])
    if user.role == User.Role.COUNCILLOR:
        colleagues, shared = _councillor_reach(user)
        q = Q(owner_id=user.pk)
        if colleagues:
            q |= Q(sharing=Case.Sharing.WARD, owner_id__in=colleagues)
        if shared:
            q |= Q(sharing=Case.Sharing.NAMED, pk__in=shared)
        return q
    if user.role == User.Role.STAFF:
        owners = list(delegated_councillor_ids(user))
        return Q(owner_id__in=owners) if owners else Q(pk__in=[])
    return Q(pk__in=[])


def case_can_change(user: User, case: Case) -> bool:
    """True when `user` owns `case` or is staff with a delegation from its owner."""
    if not _is_active_member(user):
        return False
    if user.role == User.Role.COUNCILLOR:
        return case.owner_id == user.pk
    if user.role == User.Role.STAFF:
        return Delegation.objects.filter(
            staff_id=user.pk, councillor_id=case.owner_id, councillor__is_active=True
        ).exists()
    return False


def constituent_visible_q(user: User) -> Q:
    """Constituents `user` may read: those their councillor(s) own, plus anyone with a case
    the user can see (so a shared case shows its constituent)."""
    if not _is_active_member(user):
        return Q(pk__in=[])
    if user.role == User.Role.COUNCILLOR:
        owned = Q(owner_id=user.pk)
    elif user.role == User.Role.STAFF:
        owned = Q(owner_id__in=delegated_councillor_ids(user))
    else:
        return Q(pk__in=[])
    via_case = Exists(
        Case.objects.filter(case_visible_q(user), constituent_id=OuterRef("pk")).values("pk")
    )
    return owned | Q(via_case)


def user_is_council_admin(user: User) -> bool:
    return _is_active_member(user) and user.role == User.Role.ADMIN


def user_keeps_directory(user: User) -> bool:
    """Members' Services (staff) and admins keep the officer directory."""
    return _is_active_member(user) and user.role in (User.Role.STAFF, User.Role.ADMIN)


def user_does_casework(user: User) -> bool:
    return _is_active_member(user) and user.role in (User.Role.COUNCILLOR, User.Role.STAFF)

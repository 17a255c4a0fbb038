"""Who sees what. Every read of casework goes through these rules.

- A councillor sees the cases they own, cases shared with their ward's members when they sit
  for the owner's ward, and cases shared with them by name.
- Members' Services staff see the cases of the councillors who delegated to them, and act
  for those councillors. A delegation counts only once the councillor has confirmed it
  (`Delegation.objects.confirmed()`): an admin's or the staff member's proposal grants
  nothing, so an admin alone can never give an account access to a councillor's cases.
- Council admins manage users, categories, officers, wards and holidays but do NOT read
  constituents' casework: that is personal, often special-category, data and administering
  the system is no reason to read it. An admin who also supports a councillor is given a
  staff account, which their councillor delegates to.
- Central body staff never see a council's casework (they are not users of a council).

Only the owner and their delegated staff may change a case; colleagues it is shared with
read it. An invisible case is a 404, exactly like a missing one, so existence never leaks.
"""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, QuerySet, Subquery

from accounts.models import User
from accounts.roles import CASEWORK, DIRECTORY_KEEPERS
from caseload.models import Case, CaseShare, Delegation


def _is_active_member(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(user.is_active)


def delegated_councillor_ids(user: User) -> QuerySet[Delegation, int]:
    """Subquery of the councillors `user` (staff) acts for."""
    return (
        Delegation.objects.confirmed()
        .filter(staff_id=user.pk, councillor__is_active=True)
        .values_list("councillor_id", flat=True)
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


class AnyOf(Func):
    """`column = ANY(ARRAY(subquery))` as a filter condition.

    Unlike `column IN (subquery)` inside an OR (a per-row hashed subplan), this is an
    index condition: PostgreSQL runs the subquery once and can use the column's index in a
    BitmapOr / BitmapAnd, e.g. combined with the full-text GIN index. Unlike a literal list
    it costs no extra round trip, and the planner does not estimate each id one by one.
    """

    output_field = BooleanField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple]:  # type: ignore[override]
        column, subquery = self.get_source_expressions()
        column_sql, column_params = compiler.compile(column)
        subquery_sql, subquery_params = compiler.compile(subquery)
        return f"{column_sql} = ANY(ARRAY{subquery_sql})", (*column_params, *subquery_params)


def ward_colleague_ids(user: User) -> list[int]:
    """Ids of the other councillors of `user`'s ward (any status: a departed colleague's
    ward-shared cases stay visible to the ward)."""
    if not user.ward:
        return []
    return list(
        User.objects.filter(ward=user.ward, role=User.Role.COUNCILLOR)
        .exclude(pk=user.pk)
        .values_list("pk", flat=True)
    )


def case_visible_q(user: User, *, precise: bool = False) -> Q:
    """The filter of cases `user` may read. Use on Case querysets only.

    Every arm is an index condition on owner_id or id (see AnyOf). With `precise`, ward
    colleagues are looked up first (one small query) and given as literal ids: the planner
    then knows how many rows each arm selects and combines the owner index with the
    full-text GIN index (BitmapAnd), so a search in a council of 100,000 cases reads only the
    matching rows the user may see. Plain lists walk the (-updated_at, -id) index instead and
    do not need the extra query.
    """
    if not _is_active_member(user):
        return Q(pk__in=[])
    if user.role == User.Role.COUNCILLOR:
        q = Q(owner_id=user.pk)
        if precise:
            colleagues = ward_colleague_ids(user)
            if colleagues:
                q |= Q(sharing=Case.Sharing.WARD, owner_id__in=colleagues)
        elif user.ward:
            same_ward = User.objects.filter(ward=user.ward, role=User.Role.COUNCILLOR).exclude(
                pk=user.pk
            )
            # .order_by(): no sort of the models' default ordering inside ARRAY(...).
            q |= Q(sharing=Case.Sharing.WARD) & Q(
                AnyOf(F("owner_id"), Subquery(same_ward.order_by().values("id")))
            )
        shared = CaseShare.objects.filter(user_id=user.pk).order_by().values("case_id")
        q |= Q(sharing=Case.Sharing.NAMED) & Q(AnyOf(F("id"), Subquery(shared)))
        return q
    if user.role == User.Role.STAFF:
        owners = Delegation.objects.confirmed().filter(staff_id=user.pk, councillor__is_active=True)
        return Q(AnyOf(F("owner_id"), Subquery(owners.order_by().values("councillor_id"))))
    return Q(pk__in=[])


def case_can_change(user: User, case: Case) -> bool:
    """True when `user` owns `case` or is staff with a delegation from its owner."""
    if not _is_active_member(user):
        return False
    if user.role == User.Role.COUNCILLOR:
        return case.owner_id == user.pk
    if user.role == User.Role.STAFF:
        return (
            Delegation.objects.confirmed()
            .filter(staff_id=user.pk, councillor_id=case.owner_id, councillor__is_active=True)
            .exists()
        )
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


def user_keeps_directory(user: User) -> bool:
    """Members' Services (staff) and admins keep the officer directory."""
    return _is_active_member(user) and user.role in DIRECTORY_KEEPERS


def user_does_casework(user: User) -> bool:
    return _is_active_member(user) and user.role in CASEWORK

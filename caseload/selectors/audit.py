"""Who may search the council's audit log, and the searches themselves (recorded too).

Council admins and the council's data protection officer (a flag an admin grants to a
staff member or an admin: `User.is_data_protection_officer`) search the whole log by person,
case, constituent, kind and date, on /audit/ and at /api/v1/audit/, and export the result
as CSV. Councillors and other staff may not (403). Central body staff are not users of a
council, so they never reach it. Each search is written to the log as `audit_searched`, each
export as `audit_exported`, with the filters used.

A case's own access log (`access_log_for_case`, the case's "who read this" API) is also open
to whoever may change the case: the councillor who owns it and their staff.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.db.models import QuerySet

from accounts.models import User
from accounts.selectors import is_council_admin
from audit.models import AuditAction, AuditEntry
from audit.selectors import AuditFilters, audit_entries_for_case, audit_entries_matching
from audit.services import audit_record
from caseload.models import Case
from caseload.selectors.access import case_can_change
from caseload.selectors.cases import case_get_for_user
from core.errors import NotFound, PermissionDenied
from core.tenancy import in_public_schema

REFUSED = (
    "Only the council's administrators and its data protection officer can search the audit log."
)


def is_data_protection_officer(user: Any) -> bool:
    """An active staff member or admin of this council flagged as its data protection
    officer."""
    return (
        bool(getattr(user, "is_authenticated", False))
        and bool(user.is_active)
        and getattr(user, "role", None) in (User.Role.STAFF, User.Role.ADMIN)
        and bool(getattr(user, "is_data_protection_officer", False))
        and not in_public_schema()
    )


def audit_search_allowed(user: Any) -> bool:
    """May `user` search this council's audit log? Its admins and its data protection
    officer."""
    return is_council_admin(user) or is_data_protection_officer(user)


def require_audit_searcher(user: Any) -> None:
    if not audit_search_allowed(user):
        raise PermissionDenied(REFUSED)


def _filters_detail(filters: AuditFilters) -> dict[str, Any]:
    """The filters used, for the search's own entry (ids, a reference, dates, kinds: no
    free text about anyone)."""
    out: dict[str, Any] = {}
    for name, value in asdict(filters).items():
        if value in (None, "", []):
            continue
        out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


def audit_entries_for_user(*, user: User, filters: AuditFilters) -> QuerySet[AuditEntry]:
    """The entries matching `filters`, newest first, for an admin or the DPO; PermissionDenied
    for anyone else (before anything is read)."""
    require_audit_searcher(user)
    return audit_entries_matching(filters=filters)


def audit_search_record(
    *, user: User, filters: AuditFilters, shown: int, where: str, page: int | None = None
) -> None:
    detail: dict[str, Any] = {"where": where, "shown": shown, "filters": _filters_detail(filters)}
    if page is not None:
        detail["page"] = page
    audit_record(
        action=AuditAction.AUDIT_SEARCHED,
        actor=user,
        summary=f"Searched the audit log: {shown} entries shown",
        detail=detail,
    )


def audit_export_record(*, user: User, filters: AuditFilters, rows: int) -> None:
    audit_record(
        action=AuditAction.AUDIT_EXPORTED,
        actor=user,
        summary=f"Exported {rows} audit entries as CSV",
        detail={"rows": rows, "filters": _filters_detail(filters)},
    )


def audit_people(*, user: User) -> QuerySet[User]:
    """Everyone of the council (active or not) a search can be narrowed to."""
    require_audit_searcher(user)
    return User.objects.exclude(role=User.Role.CENTRAL).order_by("name", "id")


def access_log_for_case(*, user: User, case_id: int | str) -> QuerySet[AuditEntry]:
    """Everything the audit log holds about one case: every read of it (its page, history,
    referrals, files), every list or search page that showed it, letters and exports.

    For the council's admins and DPO (who need not be able to read the case: they never see
    its contents here, only who did what), and for whoever may change the case. Anyone else
    gets NotFound (when they cannot see the case) or PermissionDenied. The look itself is
    recorded as an audit search.
    """
    try:
        pk = int(case_id)
    except (TypeError, ValueError):
        raise NotFound(f"No case with id {case_id!s}.") from None
    if audit_search_allowed(user):
        if not Case.objects.filter(pk=pk).exists():
            raise NotFound(f"No case with id {pk}.")
    else:
        case = case_get_for_user(user=user, case_id=pk, log=False)
        if not case_can_change(user, case):
            raise PermissionDenied(
                "Only the case's councillor, the staff who support them, the council's "
                "administrators and its data protection officer see who read a case."
            )
    audit_record(
        action=AuditAction.AUDIT_SEARCHED,
        actor=user,
        summary=f"Looked at who read case {pk}",
        detail={"where": "case_access_log", "filters": {"case": str(pk)}},
    )
    return audit_entries_for_case(case_id=pk)

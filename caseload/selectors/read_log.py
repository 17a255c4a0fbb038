"""Recording reads of casework in the council's audit log: one function per kind of read.

Every read of a case, its history, referrals or files, a constituent's record, and every
list or search page of cases or constituents writes one entry through
`audit.services.audit_record`, in the request (with the client's address, audit.middleware).
A list or search page is a single entry naming every case (and constituent) it showed, so
"who saw case 42" finds the pages that listed it too, at the cost of one INSERT per page.

What someone typed into a search is never stored, only its length: a search for a name or
an address is itself personal data, and the log must hold none (audit.models).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, is_dataclass
from typing import Any

from accounts.models import User
from audit.models import AuditAction
from audit.services import audit_record
from caseload.models import Attachment, Case, Constituent, Referral

# Which view of a single case a read was (the case-level kinds of the audit log).
CASE_READS: frozenset[str] = frozenset(
    {
        AuditAction.CASE_VIEWED,
        AuditAction.CASE_HISTORY_VIEWED,
        AuditAction.CASE_REFERRALS_VIEWED,
        AuditAction.CASE_ATTACHMENTS_VIEWED,
    }
)

# Lists are recorded under the name of the page or API that showed them.
_LIST_WHERE = {
    "case_list": "the case list",
    "case_api": "the cases API",
    "constituent_cases": "a constituent's cases",
    "dashboard": "the home page",
    "dashboard_api": "the dashboard API",
    "reminders_api": "the BFs API",
    "constituent_list": "the constituents list",
    "constituent_api": "the constituents API",
    "surgery_lookup": "the surgery look-up",
    "batch_detail": "a batch reply's page",
    "surgery_sitting": "the surgery's cases so far",
}


def _acting_for(user: User, owner: Any) -> User | None:
    """Staff read for the councillor who owns the case; anyone else reads for themselves."""
    if user.role == User.Role.STAFF and isinstance(owner, User):
        return owner
    return None


def case_read_record(
    *, user: User, case: Case, action: str = AuditAction.CASE_VIEWED, to_change: bool = False
) -> None:
    """One read of one case: its page or API, history, referrals or list of files.
    `to_change`: opened by someone allowed to change it, to do so (a form, a write)."""
    if action not in CASE_READS:
        raise ValueError(f"{action!r} is not a read of a case.")
    label = AuditAction(action).label
    audit_record(
        action=action,
        actor=user,
        on_behalf_of=_acting_for(user, case.owner),
        summary=f"{label}: {case.reference}" + (" (to change it)" if to_change else ""),
        case_ids=[case.pk],
        case_references=[case.reference],
        constituent_ids=[case.constituent_id],
        detail={"to_change": True} if to_change else None,
    )


def attachment_download_record(*, user: User, attachment: Attachment) -> None:
    case = attachment.case
    audit_record(
        action=AuditAction.ATTACHMENT_DOWNLOADED,
        actor=user,
        on_behalf_of=_acting_for(user, case.owner),
        summary=f"Downloaded a file of {case.reference}",
        case_ids=[case.pk],
        case_references=[case.reference],
        constituent_ids=[case.constituent_id],
        detail={"attachment_id": attachment.pk, "size": attachment.size},
    )


def officer_link_read_record(*, referral: Referral, case: Case, details_shared: bool) -> None:
    """An officer (no account) opened the page of their referral's reply link: a read of the
    case by someone outside the council's users, named by the officer's email."""
    officer = referral.officer
    audit_record(
        action=AuditAction.CASE_VIEWED,
        actor=None,
        actor_email=officer.email,
        summary=f"Officer {officer.name} opened the reply link of {case.reference}",
        case_ids=[case.pk],
        case_references=[case.reference],
        constituent_ids=[case.constituent_id],
        detail={
            "via": "officer_link",
            "referral_id": referral.pk,
            "officer_id": officer.pk,
            "constituent_details_shown": details_shared,
        },
    )


def constituent_read_record(
    *, user: User, constituent: Constituent, cases: Iterable[Case] = ()
) -> None:
    """A constituent's record read (their page, with the cases it lists, or the API)."""
    shown = list(cases)
    audit_record(
        action=AuditAction.CONSTITUENT_VIEWED,
        actor=user,
        summary=f"Viewed constituent {constituent.pk}"
        + (f" and {len(shown)} of their cases" if shown else ""),
        case_ids=[c.pk for c in shown],
        case_references=[c.reference for c in shown],
        constituent_ids=[constituent.pk],
    )


def _value(row: Any, name: str) -> Any:
    return row.get(name) if isinstance(row, Mapping) else getattr(row, name, None)


def _filters_used(filters: Any) -> dict[str, Any]:
    """A list's filters (selectors.CaseFilters or a mapping) without the search text, as
    JSON-ready values."""
    if is_dataclass(filters) and not isinstance(filters, type):
        items = asdict(filters)
    else:
        items = dict(filters or {})
    items.pop("q", None)
    return {
        name: value.isoformat() if hasattr(value, "isoformat") else value
        for name, value in items.items()
        if value not in (None, "", [], False)
    }


def _search_detail(where: str, search: str, filters: Any, shown: int) -> dict[str, Any]:
    detail: dict[str, Any] = {"where": where, "shown": shown}
    text = search.strip()
    if text:
        detail["search_length"] = len(text)  # the length only, never the words
    used = _filters_used(filters)
    if used:
        detail["filters"] = used
    return detail


def case_list_record(
    *,
    user: User,
    rows: Iterable[Any],
    where: str,
    search: str = "",
    filters: Any = None,
) -> None:
    """One page of a case list or search: the cases shown (Case objects or `.values()`
    rows with id, reference and constituent_id), in one entry. `filters`: the list's
    (selectors.CaseFilters or a mapping); a search text in them is left out."""
    rows = list(rows)
    searching = bool(search.strip())
    shown = len(rows)
    what = "Searched cases" if searching else "Listed cases"
    audit_record(
        action=AuditAction.CASES_SEARCHED if searching else AuditAction.CASES_LISTED,
        actor=user,
        summary=f"{what} on {_LIST_WHERE.get(where, where)}: {shown} shown",
        case_ids=[_value(r, "id") for r in rows],
        case_references=[_value(r, "reference") for r in rows],
        constituent_ids=[_value(r, "constituent_id") for r in rows],
        detail=_search_detail(where, search, filters, shown),
    )


def constituent_list_record(
    *, user: User, rows: Iterable[Any], where: str, search: str = ""
) -> None:
    """One page of a constituent list or search (or the surgery look-up), in one entry."""
    rows = list(rows)
    searching = bool(search.strip())
    shown = len(rows)
    what = "Searched constituents" if searching else "Listed constituents"
    audit_record(
        action=AuditAction.CONSTITUENTS_SEARCHED if searching else AuditAction.CONSTITUENTS_LISTED,
        actor=user,
        summary=f"{what} on {_LIST_WHERE.get(where, where)}: {shown} shown",
        constituent_ids=[_value(r, "id") for r in rows],
        detail=_search_detail(where, search, None, shown),
    )


def letters_download_record(
    *, user: User, cases: Iterable[Any], summary: str, detail: Mapping[str, Any]
) -> None:
    """Letters downloaded (a batch's PDF letters printed in one file)."""
    rows = list(cases)
    audit_record(
        action=AuditAction.LETTER_DOWNLOADED,
        actor=user,
        summary=summary,
        case_ids=[_value(r, "id") for r in rows],
        case_references=[_value(r, "reference") for r in rows],
        constituent_ids=[_value(r, "constituent_id") for r in rows],
        detail=dict(detail),
    )

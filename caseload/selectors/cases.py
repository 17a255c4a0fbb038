"""Reads of cases and their history, always scoped to the reader (see selectors.access)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import F, Q, QuerySet

from accounts.models import User
from audit.models import AuditAction
from caseload.models import Action, Attachment, Case, Referral, ReferralExtension
from caseload.selectors.access import case_can_change, case_visible_q
from caseload.selectors.read_log import attachment_download_record, case_read_record
from core.errors import NotFound, PermissionDenied, ValidationFailed

SEARCH_CONFIG = "english"
_MAX_SEARCH_TERMS = 8
_REFERENCE_RE = re.compile(r"^[A-Za-z0-9]{2,12}-\d{4}-\d{1,9}$")


@dataclass(frozen=True)
class CaseFilters:
    """Optional narrowing of a case list. Every field is ANDed; lists mean "any of"."""

    statuses: list[str] = field(default_factory=list)
    category_ids: list[int] = field(default_factory=list)
    ward_ids: list[int] = field(default_factory=list)
    owner_ids: list[int] = field(default_factory=list)
    constituent_id: int | None = None
    open_only: bool = False
    opened_from: date | None = None
    opened_to: date | None = None
    updated_from: date | None = None
    updated_to: date | None = None
    q: str = ""


def case_base_queryset() -> QuerySet[Case]:
    """Cases with what a list row shows, joined in one query; the search vector left out."""
    return Case.objects.select_related("constituent", *_SMALL_RELATIONS).defer("search_vector")


def _apply_filters(qs: QuerySet[Case], filters: CaseFilters) -> QuerySet[Case]:
    invalid = set(filters.statuses) - set(Case.Status.values)
    if invalid:
        raise ValidationFailed(
            f"Unknown status {', '.join(sorted(invalid))}; use: {', '.join(Case.Status.values)}.",
            extra={"status": ["Unknown status."]},
        )
    if filters.statuses:
        qs = qs.filter(status__in=filters.statuses)
    if filters.open_only:
        qs = qs.exclude(status=Case.Status.CLOSED)
    if filters.category_ids:
        qs = qs.filter(category_id__in=filters.category_ids)
    if filters.ward_ids:
        qs = qs.filter(ward_id__in=filters.ward_ids)
    if filters.owner_ids:
        qs = qs.filter(owner_id__in=filters.owner_ids)
    if filters.constituent_id is not None:
        qs = qs.filter(constituent_id=filters.constituent_id)
    if filters.opened_from:
        qs = qs.filter(opened_at__date__gte=filters.opened_from)
    if filters.opened_to:
        qs = qs.filter(opened_at__date__lte=filters.opened_to)
    if filters.updated_from:
        qs = qs.filter(updated_at__date__gte=filters.updated_from)
    if filters.updated_to:
        qs = qs.filter(updated_at__date__lte=filters.updated_to)
    return qs


def search_query_for(text: str) -> SearchQuery | None:
    """A prefix-matching tsquery for what a person typed ("hous repai" finds "housing
    repairs"); None when nothing searchable is left."""
    terms = re.findall(r"\w+", text.lower())[:_MAX_SEARCH_TERMS]
    if not terms:
        return None
    # \w+ tokens carry no tsquery operators, so the raw form is safe to build.
    raw = " & ".join(f"{term}:*" for term in terms)
    return SearchQuery(raw, search_type="raw", config=SEARCH_CONFIG)


def case_list_for_user(*, user: User, filters: CaseFilters | None = None) -> QuerySet[Case]:
    """The cases `user` may read, filtered, newest activity first (-updated_at, -id).

    With `filters.q` the result is a full-text search instead: only matching cases (or the
    case whose reference is typed), annotated with `rank` and ordered by it.
    """
    filters = filters or CaseFilters()
    searching = bool(filters.q.strip())
    visible = case_visible_q(user, precise=searching)
    qs = _apply_filters(case_base_queryset().filter(visible), filters)
    if searching:
        # Ranking sorts every match before the page is cut. Joined to the (large)
        # constituents table at that point, PostgreSQL hashes the whole table to decorate
        # matches it then throws away (see case_rows_for_user); fetched for the page only.
        qs = qs.select_related(None).select_related(*_SMALL_RELATIONS)
        return case_search(qs.prefetch_related("constituent"), filters.q)
    return qs.order_by("-updated_at", "-id")


# Per-council lookup tables of a few dozen rows: joining them costs nothing.
_SMALL_RELATIONS = ("category", "ward", "owner")


def case_rows_for_user(
    *, user: User, case_ids: Sequence[int], columns: Sequence[str]
) -> dict[int, dict[str, Any]]:
    """`columns` (which include "id") of those of `case_ids` that `user` may read, by id.

    For a page of search results: rank and cut the page from the cases alone
    (`case_list_for_user(...).values("pk", "rank")[a:b]`), then fetch the page's rows, with
    their constituent, here. Joined before the cut, a search in a council of 100,000 cases
    spent 39 ms of 63 ms hashing the constituents table to decorate every match.
    """
    if not case_ids:
        return {}
    rows = Case.objects.filter(case_visible_q(user), pk__in=list(case_ids)).values(*columns)
    return {row["id"]: row for row in rows}


def case_search(qs: QuerySet[Case], text: str) -> QuerySet[Case]:
    """Narrow an (already scoped) case queryset to full-text matches, ranked."""
    text = text.strip()
    query = search_query_for(text)
    match = Q(search_vector=query) if query is not None else Q(pk__in=[])
    if _REFERENCE_RE.match(text):
        match |= Q(reference=text.upper())
    rank = SearchRank(F("search_vector"), query) if query is not None else None
    qs = qs.filter(match)
    if rank is None:
        return qs.order_by("-updated_at", "-id")
    return qs.annotate(rank=rank).order_by("-rank", "-updated_at", "-id")


def case_get_for_user(
    *, user: User, case_id: int | str, what: str = AuditAction.CASE_VIEWED, log: bool = True
) -> Case:
    """One case `user` may read, or NotFound (the same for invisible and missing cases).

    Each read is written to the audit log (`what` says which view of the case it was:
    selectors.read_log.CASE_READS). `log=False` only for a service's own reload of a case
    it has just changed (the change is in the case's history).
    """
    try:
        pk = int(case_id)
    except (TypeError, ValueError):
        raise NotFound(f"No case with id {case_id!s}.") from None
    case = case_base_queryset().filter(case_visible_q(user), pk=pk).first()
    if case is None:
        raise NotFound(f"No case with id {pk}.")
    if log:
        case_read_record(user=user, case=case, action=what)
    return case


def case_get_for_change(*, user: User, case_id: int | str) -> Case:
    """A case `user` may change (owner or delegated staff).

    NotFound when invisible; PermissionDenied when the case is only shared with `user`.
    The read is recorded only once the change is allowed, as a read "to change it": a
    refused change leaves no entry claiming an edit, and what a change did is in the case's
    history. The write services lock the row themselves before changing it.
    """
    case = case_get_for_user(user=user, case_id=case_id, log=False)
    if not case_can_change(user, case):
        raise PermissionDenied(
            "This case is shared with you to read. Only its owner and the staff who support "
            "them can change it."
        )
    case_read_record(user=user, case=case, to_change=True)
    return case


def case_get_by_reference_for_user(*, user: User, reference: str) -> Case:
    case = case_base_queryset().filter(case_visible_q(user), reference=reference.upper()).first()
    if case is None:
        raise NotFound(f"No case with reference {reference}.")
    case_read_record(user=user, case=case)
    return case


def action_list_for_case(*, case: Case) -> QuerySet[Action]:
    """A case's history, newest first. Get the case through case_get_for_user first."""
    return Action.objects.filter(case_id=case.pk).select_related(
        "author", "on_behalf_of", "officer"
    )


def referral_list_for_case(*, case: Case) -> QuerySet[Referral]:
    """A case's referrals, newest first. Get the case through case_get_for_user first."""
    return Referral.objects.filter(case_id=case.pk).select_related("officer", "created_by")


def referral_extension_get_for_case(*, case: Case, extension_id: int) -> ReferralExtension:
    """An officer's request for more time on one of `case`'s referrals (get the case through
    case_get_for_change first), or NotFound."""
    extension = (
        ReferralExtension.objects.filter(pk=extension_id, referral__case_id=case.pk)
        .select_related("referral", "referral__officer", "referral__case")
        .first()
    )
    if extension is None:
        raise NotFound(f"No request for more time with id {extension_id} on this case.")
    return extension


def attachment_list_for_case(*, case: Case) -> QuerySet[Attachment]:
    return Attachment.objects.filter(case_id=case.pk).select_related("uploaded_by")


def attachment_get_for_user(
    *, user: User, attachment_id: int | str, case_id: int | None = None
) -> Attachment:
    """An attachment on a case `user` may read (and on case `case_id` when given), recorded
    in the audit log as a download; or NotFound."""
    try:
        pk = int(attachment_id)
    except (TypeError, ValueError):
        raise NotFound(f"No attachment with id {attachment_id!s}.") from None
    attachment = (
        Attachment.objects.select_related("case", "case__owner")
        .filter(pk=pk, case__in=Case.objects.filter(case_visible_q(user)))
        .first()
    )
    if attachment is None:
        raise NotFound(f"No attachment with id {pk}.")
    if case_id is not None and attachment.case_id != int(case_id):
        raise NotFound(f"No attachment with id {pk} on this case.")
    attachment_download_record(user=user, attachment=attachment)
    return attachment


def case_history_summary(case: Case) -> dict[str, Any]:
    """Counts and time spent for one case (time spent summed over its actions)."""
    from django.db.models import Count, Sum

    return Action.objects.filter(case_id=case.pk).aggregate(
        actions=Count("id"), minutes=Sum("time_spent_minutes")
    )


def case_open_count_for_owner(*, owner: User) -> int:
    """How many open cases `owner` has: a number only, for the council admin moving a
    departed councillor's cases (admins do not read casework)."""
    return Case.objects.filter(owner=owner).exclude(status=Case.Status.CLOSED).count()

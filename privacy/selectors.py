"""Reads of the privacy app. For council admins: the schedule as it applies to each
category, the cases about to be anonymised, holds and past runs. For councillors and their
staff: subject access requests and the search for the requester's records.

Admins never read casework, so these show a case by its reference, category, ward and
closing date only, never its title or constituent.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from difflib import SequenceMatcher

from django.conf import settings
from django.db.models import Case as DbCase
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from accounts.models import User
from caseload.models import Case, Category, Constituent
from caseload.normalise import normalise_email, normalise_phone, normalise_postcode
from caseload.selectors.access import acting_for_ids
from caseload.services.permissions import require_admin, require_casework
from core.errors import NotFound
from privacy.models import (
    AnonymisedCase,
    LegalHold,
    RetentionCandidate,
    RetentionRun,
    RetentionSchedule,
    SubjectAccessRequest,
)


@dataclass(frozen=True)
class ScheduleLine:
    category: Category | None
    keep_months: int
    own: bool  # False: the category follows the default


def retention_schedule_for_admin(*, user: User) -> list[ScheduleLine]:
    """The default first, then every category (retired ones too: their old cases still age)."""
    require_admin(user)
    rows = {row.category_id: row for row in RetentionSchedule.objects.all()}
    default_row = rows.get(None)
    default = default_row.keep_months if default_row else int(settings.RETENTION_DEFAULT_MONTHS)
    lines = [ScheduleLine(category=None, keep_months=default, own=default_row is not None)]
    for category in Category.objects.order_by("name"):
        row = rows.get(category.pk)
        lines.append(
            ScheduleLine(
                category=category,
                keep_months=row.keep_months if row else default,
                own=row is not None,
            )
        )
    return lines


@dataclass(frozen=True)
class Candidate:
    case_id: int
    reference: str
    category: str
    ward: str
    closed_at: datetime | None
    found_at: datetime
    anonymise_from: datetime


def retention_candidates_for_admin(*, user: User) -> list[Candidate]:
    require_admin(user)
    wait = timedelta(days=int(settings.RETENTION_PREVIEW_DAYS))
    rows = RetentionCandidate.objects.select_related("case__category", "case__ward").order_by(
        "found_at", "case_id"
    )
    return [
        Candidate(
            case_id=row.case_id,
            reference=row.case.reference,
            category=row.case.category.name if row.case.category else "",
            ward=row.case.ward.name if row.case.ward else "",
            closed_at=row.case.closed_at,
            found_at=row.found_at,
            anonymise_from=row.found_at + wait,
        )
        for row in rows
    ]


def legal_holds_for_admin(*, user: User, include_lifted: bool = False) -> QuerySet[LegalHold]:
    require_admin(user)
    rows = LegalHold.objects.select_related("case", "placed_by", "lifted_by")
    return rows if include_lifted else rows.filter(lifted_at__isnull=True)


def legal_hold_get_for_admin(*, user: User, hold_id: int) -> LegalHold:
    require_admin(user)
    hold = LegalHold.objects.select_related("case").filter(pk=hold_id).first()
    if hold is None:
        raise NotFound("No such legal hold.")
    return hold


def case_by_reference_for_admin(*, user: User, reference: str) -> Case:
    """The case a hold is placed on, by the reference an admin was given (not by browsing)."""
    require_admin(user)
    case = Case.objects.filter(reference__iexact=(reference or "").strip()).first()
    if case is None:
        raise NotFound(f"No case has the reference {reference!r}.")
    return case


def retention_runs_for_admin(*, user: User, limit: int = 20) -> list[RetentionRun]:
    require_admin(user)
    return list(RetentionRun.objects.order_by("-created_at", "-id")[:limit])


@dataclass(frozen=True)
class DepartingCouncillor:
    user: User
    cases_held: int


def councillors_with_cases_for_admin(*, user: User) -> list[DepartingCouncillor]:
    """Every councillor (active or not) and how many cases they still hold, unanonymised:
    the list a departure starts from. Deactivated councillors holding cases come first."""
    require_admin(user)
    held = dict(
        Case.objects.exclude(Exists(AnonymisedCase.objects.filter(case=OuterRef("pk"))))
        .values("owner_id")
        .annotate(n=Count("id"))
        .values_list("owner_id", "n")
    )
    rows = User.objects.filter(role=User.Role.COUNCILLOR).order_by("name", "id")
    found = [DepartingCouncillor(user=row, cases_held=held.get(row.pk, 0)) for row in rows]
    return sorted(found, key=lambda d: (d.user.is_active, -d.cases_held))


def councillor_get_for_admin(*, user: User, councillor_id: int) -> User:
    require_admin(user)
    found = User.objects.filter(pk=councillor_id, role=User.Role.COUNCILLOR).first()
    if found is None:
        raise NotFound("No such councillor.")
    return found


# ---------------------------------------------------------------------------------------
# Subject access requests: the councillor's side (the record holder), never admins
# ---------------------------------------------------------------------------------------

_CLOSED_LAST = DbCase(
    When(status__in=["completed", "refused"], then=Value(1)),
    default=Value(0),
    output_field=IntegerField(),
)


def subject_access_list_for_user(*, user: User) -> QuerySet[SubjectAccessRequest]:
    """Requests addressed to the councillors `user` is or acts for: open ones first, soonest
    due first, then closed ones."""
    require_casework(user)
    return (
        SubjectAccessRequest.objects.filter(councillor_id__in=acting_for_ids(user))
        .select_related("councillor", "handled_by")
        .order_by(_CLOSED_LAST, "due_on", "id")
    )


def subject_access_get_for_user(*, user: User, request_id: int | str) -> SubjectAccessRequest:
    """One request `user` handles: admins 403, anyone else 404 (as for a missing one)."""
    require_casework(user)
    try:
        pk = int(request_id)
    except (TypeError, ValueError):
        raise NotFound(f"No subject access request with id {request_id!s}.") from None
    sar = (
        SubjectAccessRequest.objects.filter(pk=pk, councillor_id__in=acting_for_ids(user))
        .select_related("councillor", "handled_by", "case")
        .first()
    )
    if sar is None:
        raise NotFound(f"No subject access request with id {pk}.")
    return sar


@dataclass(frozen=True)
class SubjectMatch:
    """A constituent record that may be the requester, and why it was found."""

    constituent: Constituent
    cases: int
    reasons: tuple[str, ...]
    score: float
    confirmed: bool


NAME_SIMILARITY = 0.8  # of 1: "Margaret Fairbairn" ~ "Margret Fairbairn", not ~ "Mary Fair"


def _name_tokens(name: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", unicodedata.normalize("NFKC", name or "").casefold())


def name_similarity(wanted: str, candidate: str) -> float:
    """How alike two names are, 0 to 1, ignoring case, punctuation and word order: each word
    of the wanted name is paired with the candidate's closest word (an initial matches a
    word it begins), and the pairs' similarities averaged. A missing middle name costs
    less than a wrong surname because only the wanted words are scored."""
    wanted_tokens, candidate_tokens = _name_tokens(wanted), _name_tokens(candidate)
    if not wanted_tokens or not candidate_tokens:
        return 0.0
    total = 0.0
    for word in wanted_tokens:
        best = 0.0
        for other in candidate_tokens:
            if len(word) == 1 or len(other) == 1:
                score = 0.9 if word[0] == other[0] else 0.0
            else:
                score = SequenceMatcher(None, word, other).ratio()
            best = max(best, score)
        total += best
    whole = SequenceMatcher(None, " ".join(wanted_tokens), " ".join(candidate_tokens)).ratio()
    return max(total / len(wanted_tokens), whole)


def subject_access_matches(
    *,
    user: User,
    sar: SubjectAccessRequest,
    name: str = "",
    email: str = "",
    phone: str = "",
    postcode: str = "",
) -> list[SubjectMatch]:
    """The request's councillor's constituent records that may be the requester: the same
    email, phone or postcode (normalised), or a similar name. Only that councillor's records:
    a request is to one controller. Confirmed records are always listed."""
    sar = subject_access_get_for_user(user=user, request_id=sar.pk)
    email, phone = normalise_email(email), normalise_phone(phone)
    postcode = normalise_postcode(postcode)
    name = " ".join((name or "").split())
    if not (name or email or phone or postcode) and not sar.confirmed_constituent_ids:
        return []
    # One pass over the councillor's records (a few thousand at most), the name scored in
    # Python: no trigram extension is installed on every server this runs on.
    rows = Constituent.objects.filter(owner_id=sar.councillor_id).only(
        "id", "name", "email", "phone_normalised", "postcode_normalised"
    )
    found: dict[int, tuple[list[str], float]] = {}
    for person in rows.iterator(chunk_size=2000):
        reasons: list[str] = []
        score = 0.0
        if email and person.email and person.email.lower() == email:
            reasons.append("same email")
            score = max(score, 1.0)
        if phone and len(phone) >= 6 and person.phone_normalised == phone:
            reasons.append("same phone")
            score = max(score, 1.0)
        if postcode and person.postcode_normalised == postcode:
            reasons.append("same postcode")
            score = max(score, 0.5)
        if name:
            similar = name_similarity(name, person.name)
            if similar >= NAME_SIMILARITY:
                reasons.append("same name" if similar >= 0.999 else f"similar name ({similar:.0%})")
                score += similar
        if reasons or person.pk in sar.confirmed_constituent_ids:
            found[person.pk] = (reasons or ["confirmed before"], score)
    people = (
        Constituent.objects.filter(pk__in=list(found))
        .annotate(case_count=Count("cases", filter=Q(cases__owner_id=sar.councillor_id)))
        .order_by("name", "id")
    )
    matches = [
        SubjectMatch(
            constituent=person,
            cases=person.case_count,
            reasons=tuple(found[person.pk][0]),
            score=found[person.pk][1],
            confirmed=person.pk in sar.confirmed_constituent_ids,
        )
        for person in people
    ]
    matches.sort(key=lambda m: (-m.confirmed, -m.score, m.constituent.name, m.constituent.pk))
    return matches[:100]

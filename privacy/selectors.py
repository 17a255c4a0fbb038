"""Reads of the privacy app, for council admins: the schedule as it applies to each
category, the cases about to be anonymised, holds and past runs.

Admins never read casework, so these show a case by its reference, category, ward and
closing date only, never its title or constituent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, QuerySet

from accounts.models import User
from caseload.models import Case, Category
from caseload.services.permissions import require_admin
from core.errors import NotFound
from privacy.models import (
    AnonymisedCase,
    LegalHold,
    RetentionCandidate,
    RetentionRun,
    RetentionSchedule,
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

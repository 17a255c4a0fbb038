"""Casework on a councillor's (or their staff's) home page; the page itself, with the BFs
due, is reminders' (reminders.views.dashboard)."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from caseload.models import Case, Referral
from caseload.selectors.access import acting_for_ids, case_visible_q
from caseload.selectors.cases import case_base_queryset


def my_open_cases(*, user: User, limit: int | None = 20) -> QuerySet[Case]:
    """Open cases of the councillor(s) `user` acts for (own cases, not ones shared with them),
    most recently active first."""
    qs = (
        case_base_queryset()
        .filter(owner_id__in=acting_for_ids(user))
        .exclude(status=Case.Status.CLOSED)
        .order_by("-updated_at", "-id")
    )
    return qs[:limit] if limit else qs


def recently_updated_cases(*, user: User, limit: int = 10) -> QuerySet[Case]:
    """Any case `user` can read, most recently changed first."""
    return case_base_queryset().filter(case_visible_q(user)).order_by("-updated_at", "-id")[:limit]


def referrals_past_target_for_user(*, user: User, today: date | None = None) -> QuerySet[Referral]:
    """Referrals without an officer reply whose target date has passed, on open cases of the
    councillor(s) `user` acts for; oldest target first."""
    today = today or timezone.localdate()
    return (
        Referral.objects.filter(
            replied_at__isnull=True,
            target_date__lt=today,
            case__owner_id__in=acting_for_ids(user),
        )
        .exclude(case__status=Case.Status.CLOSED)
        .select_related("case", "case__constituent", "officer")
        .order_by("target_date", "id")
    )


def referrals_awaiting_reply_for_user(*, user: User) -> QuerySet[Referral]:
    """Every referral still without an officer reply, on open cases of the councillor(s)
    `user` acts for, earliest target first (the past-target ones are the first of them)."""
    return (
        Referral.objects.filter(replied_at__isnull=True, case__owner_id__in=acting_for_ids(user))
        .exclude(case__status=Case.Status.CLOSED)
        .select_related("case", "case__constituent", "officer")
        .order_by("target_date", "id")
    )

"""What a councillor's (or their staff's) home page shows."""

from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass
class DueItems:
    """Everything due or overdue for `user` on `today`: the same items as the morning digest
    (reminders.services.reminders_council_digest). BFs come from reminders.selectors."""

    today: date
    referrals_past_target: list[Referral] = field(default_factory=list)
    bfs_due_today: list = field(default_factory=list)
    bfs_overdue: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.referrals_past_target) + len(self.bfs_due_today) + len(self.bfs_overdue)


def dashboard_due_items(*, user: User, today: date | None = None) -> DueItems:
    """Due today / overdue items for the dashboard (BFs, referrals past target)."""
    from reminders.selectors import bf_due_for_user  # reminders builds on caseload

    today = today or timezone.localdate()
    bfs = list(bf_due_for_user(user=user, on=today))
    return DueItems(
        today=today,
        referrals_past_target=list(referrals_past_target_for_user(user=user, today=today)),
        bfs_due_today=[bf for bf in bfs if bf.due_date == today],
        bfs_overdue=[bf for bf in bfs if bf.due_date < today],
    )

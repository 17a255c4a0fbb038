"""Reads for the monthly survey, scoped to who asks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from accounts.models import User
from accounts.selectors import is_council_admin
from core.errors import PermissionDenied
from feedback.models import SurveyResponse
from feedback.services import survey_month


def survey_is_due(*, user: User, today: date | None = None) -> bool:
    """True when a councillor has neither answered nor skipped this month's survey."""
    if not user.is_authenticated or not user.is_councillor:
        return False
    return not SurveyResponse.objects.filter(user=user, month=survey_month(today)).exists()


@dataclass(frozen=True)
class MonthSummary:
    month: date
    responses: int
    quicker: float | None
    engagement: float | None
    easy: float | None
    # The later questions: averages over the answers that had them (None before).
    later_responses: int = 0
    reminders: float | None = None
    tracking: float | None = None
    time_saved: float | None = None


def survey_monthly_totals() -> list[dict[str, Any]]:
    """Per month: number of answers and the sum of each score (no comments, no people).
    The questions added later have their own count (`later_responses`: answers that
    include them), so their averages are over the answers that were asked them.

    This is what leaves the council's schema for the central body's comparison."""
    rows = (
        SurveyResponse.objects.filter(skipped=False)
        .values("month")
        .annotate(
            responses=Count("id"),
            quicker_sum=Sum("quicker"),
            engagement_sum=Sum("engagement"),
            easy_sum=Sum("easy"),
            later_responses=Count("id", filter=Q(reminders__isnull=False)),
            reminders_sum=Coalesce(Sum("reminders"), 0),
            tracking_sum=Coalesce(Sum("tracking"), 0),
            time_saved_sum=Coalesce(Sum("time_saved"), 0),
        )
        .order_by("month")
    )
    return [dict(row) for row in rows]


def _average(total: int, count: int) -> float | None:
    return total / count if count else None


def survey_summary_for_admin(*, user: User) -> list[MonthSummary]:
    """Average scores per month for the council's administrators."""
    if not is_council_admin(user):
        raise PermissionDenied("Only the council's administrators see survey results.")
    rows = survey_monthly_totals()
    return [
        MonthSummary(
            month=row["month"],
            responses=row["responses"],
            quicker=row["quicker_sum"] / row["responses"],
            engagement=row["engagement_sum"] / row["responses"],
            easy=row["easy_sum"] / row["responses"],
            later_responses=row["later_responses"],
            reminders=_average(row["reminders_sum"], row["later_responses"]),
            tracking=_average(row["tracking_sum"], row["later_responses"]),
            time_saved=_average(row["time_saved_sum"], row["later_responses"]),
        )
        for row in reversed(rows)
    ]


def survey_comments_for_admin(*, user: User) -> QuerySet[SurveyResponse]:
    """Comments, newest first, without who wrote them (honest answers need that)."""
    if not is_council_admin(user):
        raise PermissionDenied("Only the council's administrators see survey comments.")
    return (
        SurveyResponse.objects.filter(Q(skipped=False) & ~Q(comment=""))
        .only("month", "comment", "created_at")
        .order_by("-month", "-created_at", "-id")
    )

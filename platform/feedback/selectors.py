"""Reads for the monthly survey, scoped to who asks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

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


def survey_monthly_totals() -> list[dict[str, Any]]:
    """Per month: number of answers and the sum of each score (no comments, no people).

    This is what leaves the council's schema for the central body's comparison."""
    rows = (
        SurveyResponse.objects.filter(skipped=False)
        .values("month")
        .annotate(
            responses=Count("id"),
            quicker_sum=Sum("quicker"),
            engagement_sum=Sum("engagement"),
            easy_sum=Sum("easy"),
        )
        .order_by("month")
    )
    return [dict(row) for row in rows]


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

"""Reads of the council's holidays (Scottish defaults seeded on first look)."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from caseload.calendar import holiday_ensure_defaults
from caseload.models import (
    CouncilHoliday,
)
from core.errors import NotFound


def holiday_list(*, year: int, include_removed: bool = False) -> QuerySet[CouncilHoliday]:
    """The council's holidays in `year` (Scottish defaults seeded on first look)."""
    holiday_ensure_defaults([year])
    qs = CouncilHoliday.objects.filter(date__year=year)
    if not include_removed:
        qs = qs.filter(is_removed=False)
    return qs.order_by("date")


def holiday_get(*, holiday_id: int | str) -> CouncilHoliday:
    try:
        return CouncilHoliday.objects.get(pk=int(holiday_id))
    except (TypeError, ValueError, CouncilHoliday.DoesNotExist):
        raise NotFound(f"No holiday with id {holiday_id!s}.") from None


def holidays_between(start: date, end: date) -> list[date]:
    return list(
        CouncilHoliday.objects.filter(date__range=(start, end), is_removed=False).values_list(
            "date", flat=True
        )
    )

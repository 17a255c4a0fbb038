"""Working days for target dates: weekends and the council's holidays are not working days.

The holiday list is the council's CouncilHoliday rows: Scottish public holidays seeded per
year from the `holidays` package (subdivision SCT) plus the council's own local days, minus
the defaults it removed. The BF (brought-forward) reminders reuse `add_working_days` and
`working_days_between`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.db import connection

from caseload.models import CouncilHoliday, HolidayYear

# A year has ~250 working days, so this many calendar days always covers the span needed.
_MAX_WORKING_DAYS = 260


def scottish_default_holidays(year: int) -> dict[date, str]:
    """Scotland's public holidays for `year` from the `holidays` package."""
    import holidays

    return dict(holidays.country_holidays("GB", subdiv="SCT", years=year).items())


def holiday_ensure_defaults(years: Iterable[int]) -> None:
    """Seed the Scottish defaults for each year once (idempotent, safe under concurrency)."""
    wanted = set(years)
    missing = wanted - set(
        HolidayYear.objects.filter(year__in=wanted).values_list("year", flat=True)
    )
    for year in sorted(missing):
        CouncilHoliday.objects.bulk_create(
            [
                CouncilHoliday(date=day, name=name[:120], source=CouncilHoliday.Source.DEFAULT)
                for day, name in scottish_default_holidays(year).items()
            ],
            ignore_conflicts=True,
        )
        HolidayYear.objects.bulk_create([HolidayYear(year=year)], ignore_conflicts=True)


def _holidays_and_seeded_years(years: set[int]) -> tuple[list[date], set[int]]:
    """The council's non-working holidays in `years`, and which of `years` have their
    defaults seeded, in one query: pages that show working days (the dashboard) call this
    on every request, and once a year is seeded there is nothing else to ask."""
    holiday = connection.ops.quote_name(CouncilHoliday._meta.db_table)
    seeded = connection.ops.quote_name(HolidayYear._meta.db_table)
    wanted = sorted(years)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT date, NULL::integer FROM {holiday}"
            " WHERE NOT is_removed AND EXTRACT(year FROM date)::integer = ANY(%s)"
            f" UNION ALL SELECT NULL::date, year FROM {seeded} WHERE year = ANY(%s)",
            [wanted, wanted],
        )
        rows = cursor.fetchall()
    dates = [day for day, _ in rows if day is not None]
    found = {year for day, year in rows if day is None}
    return dates, found


class WorkingCalendar:
    """Answers working-day questions for a fixed set of non-working dates."""

    def __init__(self, holidays: Iterable[date]) -> None:
        self.holidays = frozenset(holidays)

    @classmethod
    def for_years(cls, years: Iterable[int]) -> WorkingCalendar:
        years = set(years)
        dates, seeded = _holidays_and_seeded_years(years)
        if seeded != years:
            # The first use of a year in this council: seed its defaults, then read again.
            holiday_ensure_defaults(years)
            dates, _ = _holidays_and_seeded_years(years)
        return cls(dates)

    @classmethod
    def around(cls, start: date, days: int = _MAX_WORKING_DAYS) -> WorkingCalendar:
        """A calendar covering `start` and the following `days` working days."""
        span = days * 2 + 30  # weekends and holidays at most double the span
        return cls.for_years(range(start.year, (start + timedelta(days=span)).year + 1))

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def add_working_days(self, start: date, days: int) -> date:
        """The date `days` working days after `start` (start itself is day 0)."""
        if days < 0:
            raise ValueError("days must not be negative")
        current = start
        remaining = days
        while remaining:
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative if end < start)."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count


def add_working_days(start: date, days: int) -> date:
    """`days` working days after `start`, using this council's holidays."""
    if days > _MAX_WORKING_DAYS:
        raise ValueError(f"at most {_MAX_WORKING_DAYS} working days")
    return WorkingCalendar.around(start, days).add_working_days(start, days)


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`, using this council's holidays."""
    low, high = min(start, end), max(start, end)
    return WorkingCalendar.for_years(range(low.year, high.year + 1)).working_days_between(
        start, end
    )

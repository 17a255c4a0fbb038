"""Working-day arithmetic with the council's calendar: weekends, Scottish public holidays
(which differ from England's), the council's own days and removed defaults."""

from __future__ import annotations

from datetime import date

import pytest

from caseload.calendar import WorkingCalendar, add_working_days, working_days_between
from caseload.models import CouncilHoliday
from tests.conftest import in_council


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 3, 4), 0, date(2026, 3, 4)),  # day 0 is the start itself
        (date(2026, 3, 6), 1, date(2026, 3, 9)),  # Friday + 1 -> Monday
        (date(2026, 3, 7), 1, date(2026, 3, 9)),  # Saturday + 1 -> Monday
        (date(2026, 3, 2), 10, date(2026, 3, 16)),  # two clear weeks
        # Christmas, Boxing Day, the weekend, then New Year's Day and 2 January (Scotland).
        (date(2025, 12, 24), 3, date(2025, 12, 31)),
        (date(2025, 12, 31), 1, date(2026, 1, 5)),
        # Scotland's summer bank holiday is the FIRST Monday of August (England: the last).
        (date(2026, 7, 31), 1, date(2026, 8, 4)),
        (date(2026, 8, 28), 1, date(2026, 8, 31)),
        # Good Friday is a holiday; Easter Monday is a working day in Scotland.
        (date(2026, 4, 2), 1, date(2026, 4, 6)),
        # St Andrew's Day on a Sunday in 2025 is observed on Monday 1 December.
        (date(2025, 11, 28), 1, date(2025, 12, 2)),
        # Across the year end, 10 working days.
        (date(2025, 12, 19), 10, date(2026, 1, 8)),
    ],
)
def test_add_working_days_skips_weekends_and_scottish_holidays(council_a, start, days, expected):
    with in_council(council_a):
        assert add_working_days(start, days) == expected


def test_working_days_between_counts_only_working_days(council_a):
    with in_council(council_a):
        assert working_days_between(date(2025, 12, 24), date(2026, 1, 5)) == 4
        assert working_days_between(date(2026, 1, 5), date(2025, 12, 24)) == -4
        assert working_days_between(date(2026, 3, 6), date(2026, 3, 9)) == 1


def test_council_local_holiday_and_removed_default(council_a, council_b):
    with in_council(council_a):
        CouncilHoliday.objects.create(date=date(2026, 3, 9), name="Local holiday")
        assert add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 10)
        WorkingCalendar.for_years([2026])  # seeds the defaults
        CouncilHoliday.objects.filter(date=date(2026, 8, 3)).update(is_removed=True)
        assert add_working_days(date(2026, 7, 31), 1) == date(2026, 8, 3)
    with in_council(council_b):  # another council's calendar is its own
        assert add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)
        assert add_working_days(date(2026, 7, 31), 1) == date(2026, 8, 4)

"""Disclosure control: the one rule every comparison output applies (page, CSV, API,
evaluation reports, and a council's own evaluation page).

Two parts, applied in this order:

1. **Every count is randomly rounded to a multiple of 5 where it is first counted**: per
   council, per calendar month, per measure (and per category or ward of that month). A
   count already a multiple of 5 stays as it is; otherwise it goes to the multiple below or
   above, up with probability remainder/5 (so 2 becomes 5 two times in five and 0 three
   times in five: no bias in totals). The draw is fixed per council, month, measure and
   value by an HMAC keyed with the server's secret, so asking again returns the same number
   and cannot be averaged away, and nobody without the secret can tell which way it went.
2. **Everything published is computed from those rounded monthly counts only**: sums over
   any range of months, categories and wards over a range, percentages, averages and rates.
   Then any arithmetic on published figures (one range minus another, a total minus its
   categories, all councils minus one) is arithmetic on rounded counts: every count the
   arithmetic produces is a multiple of 5, so a hidden count of 1 to 4 can never come out
   of it, and nothing finer than the rounded month is ever published to subtract.

On top of that, small numbers are still marked: a count that rounds to 0 is shown as "<5"
(with the default of 5), and so is any figure derived from fewer than 5 cases, answers or
people (medians, percentages on both part and whole, averages and rates). Medians and
percentiles of days come from the exact day histograms (they are not sums, so subtraction
cannot isolate a month from them) and are shown only when at least 5 cases stand behind
them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.conf import settings
from django.utils.crypto import salted_hmac

Figure = int | float | str | None

# The salt keeps its first home's name: changing it would redraw every published figure.
_SALT = "console.disclosure.rounding"


def small_number() -> int:
    return int(settings.CONSOLE_SMALL_NUMBER)


def rounding_base() -> int:
    """Counts are rounded to multiples of this: the small-number threshold (5)."""
    return small_number()


def suppressed_marker() -> str:
    return f"<{small_number()}"


def is_small(count: int | None) -> bool:
    return count is None or count < small_number()


def rounded(value: int | None, *, cell: str) -> int | None:
    """`value`, randomly rounded to a multiple of the base; `cell` names where it was
    counted (council, month, measure) so each cell has its own fixed draw."""
    if value is None:
        return None
    value = int(value)
    base = rounding_base()
    whole, remainder = divmod(value, base)
    if remainder == 0:
        return value
    digest = salted_hmac(_SALT, f"{cell}|{value}").digest()
    draw = int.from_bytes(digest[:8], "big") / 2**64
    return base * (whole + (1 if draw < remainder / base else 0))


def month_cell(council_id: int, month: date, measure: str) -> str:
    return f"{council_id}:{month:%Y-%m}:{measure}"


def rounded_month(
    *, council_id: int, month: date, counts: Mapping[str, int | None]
) -> dict[str, int | None]:
    """One council's month of counts, each rounded in its own cell."""
    return {
        name: rounded(value, cell=month_cell(council_id, month, name))
        for name, value in counts.items()
    }


def rounded_breakdown(
    *, council_id: int, month: date, kind: str, counts: Mapping[str, int] | None
) -> dict[str, int]:
    """A month's cases per category (or ward) code, each rounded in its own cell. Codes
    that round to 0 are kept, so a breakdown lists the same codes whatever the draw."""
    return {
        code: int(rounded(int(n), cell=month_cell(council_id, month, f"{kind}:{code}")) or 0)
        for code, n in (counts or {}).items()
    }


def count(value: int | None) -> Figure:
    """A (rounded) count, or "<5" when it is under 5."""
    if value is None:
        return None
    return suppressed_marker() if is_small(value) else int(value)


def derived(
    value: float | None,
    *bases: int | None,
    digits: int = 1,
    bounds: tuple[float, float] | None = None,
) -> Figure:
    """A figure computed from `bases` (e.g. cases closed), or "<5" if any base is small.
    None when the figure is not measured at all (e.g. no BF model yet). `bounds` keeps a
    ratio of two independently rounded counts on its scale (an average of 1-5 answers):
    rounding the sum up and the count down could otherwise show 6.0."""
    if any(base is None for base in bases):
        return None
    if any(is_small(base) for base in bases):
        return suppressed_marker()
    if value is None:
        return None
    result = float(value)
    if bounds is not None:
        result = min(max(result, bounds[0]), bounds[1])
    return round(result, digits)


def percentage(part: int | None, whole: int | None) -> Figure:
    if part is None or whole is None:
        return None
    if is_small(whole) or is_small(part):
        return suppressed_marker()
    # Part and whole are rounded apart, so the part can come out above the whole.
    return round(min(100.0, 100.0 * part / whole), 1)


def rule_text() -> str:
    """The rule in one paragraph, as the page, the CSV's README, the API and reports say it."""
    base = rounding_base()
    return (
        f"Every count is rounded at random to a multiple of {base} in each council's calendar "
        f"month where it is counted (fixed for that month, so asking again gives the same "
        f"number), and every figure shown is computed from those rounded months only: totals "
        f"over a range, categories, wards, percentages and averages. So no subtraction of one "
        f"published figure from another (two ranges, a total and its categories, one council "
        f"and all) can reveal a hidden small number. Counts that round to 0, and figures "
        f"derived from fewer than {small_number()} cases, answers or people, are shown as "
        f"'{suppressed_marker()}'."
    )

"""Small-number suppression: the one rule every comparison output applies.

Any count below CONSOLE_SMALL_NUMBER is shown as "<5" (with the default of 5), and so is any
figure derived from fewer than that many cases, answers or people: medians, percentages
(checked on both the part and the whole, so a percentage cannot be turned back into a small
count), averages and rates. Zero counts as small too: the rule reads "any count under 5".
"""

from __future__ import annotations

from django.conf import settings

Figure = int | float | str | None


def small_number() -> int:
    return int(settings.CONSOLE_SMALL_NUMBER)


def suppressed_marker() -> str:
    return f"<{small_number()}"


def is_small(count: int | None) -> bool:
    return count is None or count < small_number()


def count(value: int | None) -> Figure:
    """A count, or "<5"."""
    if value is None:
        return None
    return suppressed_marker() if is_small(value) else int(value)


def derived(value: float | None, *bases: int | None, digits: int = 1) -> Figure:
    """A figure computed from `bases` (e.g. cases closed), or "<5" if any base is small.
    None when the figure is not measured at all (e.g. no BF model yet)."""
    if any(base is None for base in bases):
        return None
    if any(is_small(base) for base in bases):
        return suppressed_marker()
    if value is None:
        return None
    return round(float(value), digits)


def percentage(part: int | None, whole: int | None) -> Figure:
    if part is None or whole is None:
        return None
    if is_small(whole) or is_small(part):
        return suppressed_marker()
    return round(100.0 * part / whole, 1)

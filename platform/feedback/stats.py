"""Exact percentiles from day histograms ({days: number of cases}).

The aggregation stores, per month, how many cases took each whole number of days. Pooling
months and applying PostgreSQL's percentile_cont rule to the pooled histogram gives the same
answer as percentile_cont over the cases themselves, for any range of months.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping


def pool(histograms: Iterable[Mapping[str, int]]) -> dict[int, int]:
    pooled: dict[int, int] = {}
    for histogram in histograms:
        for days, n in histogram.items():
            pooled[int(days)] = pooled.get(int(days), 0) + int(n)
    return pooled


def hist_count(histogram: Mapping[int, int]) -> int:
    return sum(histogram.values())


def _value_at(ordered: list[tuple[int, int]], index: int) -> int:
    """The value at 0-based `index` of the expanded, sorted sample."""
    seen = 0
    for value, n in ordered:
        seen += n
        if index < seen:
            return value
    raise IndexError(index)


def percentile_cont(histogram: Mapping[int, int], fraction: float) -> float | None:
    n = hist_count(histogram)
    if n == 0:
        return None
    ordered = sorted((v, c) for v, c in histogram.items() if c > 0)
    position = fraction * (n - 1)
    lower, upper = math.floor(position), math.ceil(position)
    low_value = _value_at(ordered, lower)
    high_value = _value_at(ordered, upper)
    return low_value + (position - lower) * (high_value - low_value)

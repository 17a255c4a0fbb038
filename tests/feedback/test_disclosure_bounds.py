"""Figures built from two independently rounded counts stay on their scale: a survey
average never shows above 5 (or below 1) and a share never above 100 %."""

from __future__ import annotations

from feedback import disclosure as d
from feedback.figures import SCALE


def test_an_average_of_rounded_counts_stays_on_the_1_to_5_scale():
    # 6 answers summing 27 (4.5 each) may publish as 30 over 5: 6.0 without the bound.
    assert d.derived(30 / 5, 5, digits=2, bounds=SCALE) == 5.0
    assert d.derived(5 / 10, 10, digits=2, bounds=SCALE) == 1.0
    assert d.derived(3.25, 20, digits=2, bounds=SCALE) == 3.25


def test_a_share_of_rounded_counts_is_at_most_100_percent():
    assert d.percentage(10, 5) == 100.0
    assert d.percentage(5, 10) == 50.0
    assert d.percentage(3, 10) == d.suppressed_marker()

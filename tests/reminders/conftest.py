"""Reminders fixtures: caseload's cast of people (council A, plus an outsider in B), a fixed
"today", and helpers that create through the services."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from tests.caseload.conftest import (  # noqa: F401  (fixtures re-exported for this folder)
    Cast,
    _fast_password_hasher,
    cast,
    make_case,
    make_constituent,
    make_officer,
)
from tests.conftest import today_is

# A Tuesday that is no holiday: tests that add a BF "due today" need today to be a working
# day, or bf_add moves it to the next one (see test_api's weekend test for what a weekend
# shows).
A_WORKING_DAY = date(2026, 3, 10)


@pytest.fixture
def on_a_working_day() -> Iterator[date]:
    with today_is(A_WORKING_DAY):
        yield A_WORKING_DAY

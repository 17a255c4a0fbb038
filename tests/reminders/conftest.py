"""Reminders fixtures: caseload's cast of people (council A, plus an outsider in B), a fixed
"today", and helpers that create through the services."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from unittest import mock

import pytest
from django.utils import timezone

from tests.caseload.conftest import (  # noqa: F401  (fixtures re-exported for this folder)
    Cast,
    _fast_password_hasher,
    cast,
    make_case,
    make_constituent,
    make_officer,
)

_real_localdate = timezone.localdate
# A Tuesday that is no holiday: tests that add a BF "due today" need today to be a working
# day, or bf_add moves it to the next one (and the suite fails at weekends).
A_WORKING_DAY = date(2026, 3, 10)


@contextmanager
def today_is(day: date) -> Iterator[None]:
    """Make timezone.localdate() (with no argument) return `day`; other calls unchanged."""

    def fake(value=None, timezone=None):  # type: ignore[no-untyped-def]
        if value is None:
            return day
        return _real_localdate(value, timezone)

    with mock.patch("django.utils.timezone.localdate", side_effect=fake):
        yield


@pytest.fixture
def on_a_working_day() -> Iterator[date]:
    with today_is(A_WORKING_DAY):
        yield A_WORKING_DAY

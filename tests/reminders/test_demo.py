"""Demo BFs and referrals: every demo councillor's (and staff member's) dashboard has
something true in each list, built on caseload's demo casework; idempotent."""

from __future__ import annotations

import random
import time

import pytest

from accounts.models import User
from caseload.demo_seeder import seed as seed_casework
from caseload.models import Action, Case, Referral
from reminders.demo_seeder import seed
from reminders.models import BF
from reminders.selectors import dashboard_due_items
from tests.conftest import in_council


@pytest.mark.django_db
def test_every_dashboard_shows_bfs_in_each_list_and_referrals_in_each_state(
    cast, council_a, on_a_working_day
) -> None:
    seed_casework(council=council_a, rng=random.Random("demo-test"))
    started = time.perf_counter()
    seed(council=council_a, rng=random.Random("demo-test"))
    elapsed = time.perf_counter() - started
    print(f"\nreminders demo seed for one council: {elapsed:.2f} s")
    today = on_a_working_day
    with in_council(council_a):
        assert elapsed < 5, elapsed
        councillors = list(User.objects.filter(role="councillor", is_active=True))
        with_cases = [c for c in councillors if Case.objects.filter(owner=c).exists()]
        assert len(with_cases) >= 2
        for person in [*with_cases, cast.staff]:
            due = dashboard_due_items(user=person, today=today)
            assert due.bfs_overdue, person.email
            assert due.bfs_due_today, person.email
            assert len(due.bfs_upcoming) >= 2, person.email
            assert all(today < bf.due_date <= due.upcoming_until for bf in due.bfs_upcoming)
        for person in with_cases:
            mine = Referral.objects.filter(case__owner=person)
            awaiting = dashboard_due_items(user=person, today=today).referrals_awaiting
            assert any(r.target_date >= today for r in awaiting), person.email
            assert any(r.target_date < today for r in awaiting), person.email
            assert mine.filter(target_met=True).exists(), person.email
            assert mine.filter(target_met=False).exists(), person.email
        # What a real BF leaves: a history entry for one set by hand, none after today, and
        # none made before its case was opened.
        manual = BF.objects.filter(source="manual").select_related("case")
        assert manual.exists()
        for bf in manual:
            assert bf.created_at >= bf.case.opened_at
            assert Action.objects.filter(case=bf.case, kind="reminder", data__bf=bf.pk).exists()
        # The rules' BFs over the year: chasers done when the reply came.
        replied = BF.objects.filter(source="rule", referral__replied_at__isnull=False)
        assert replied.filter(done=True).exists()
        assert not BF.objects.filter(done=True, done_at__date__gt=today).exists()
        counts = (BF.objects.count(), Referral.objects.count(), Action.objects.count())
    # The same day again: nothing added.
    seed(council=council_a, rng=random.Random("demo-test"))
    with in_council(council_a):
        assert (BF.objects.count(), Referral.objects.count(), Action.objects.count()) == counts

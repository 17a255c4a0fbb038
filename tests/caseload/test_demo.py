"""Demo data: generated, consistent with the rules, and idempotent."""

from __future__ import annotations

import random
import time

import pytest
from django.db.models import Count

from caseload.demo_seeder import seed
from caseload.models import Action, Case, CaseSequence, Officer, Referral
from caseload.selectors import CaseFilters, case_list_for_user
from tests.conftest import in_council


@pytest.mark.django_db
def test_seed_makes_a_year_of_consistent_cases_once(cast, council_a) -> None:
    started = time.perf_counter()
    seed(council=council_a, rng=random.Random("demo-test"))
    elapsed = time.perf_counter() - started
    with in_council(council_a):
        cases = Case.objects.all()
        assert cases.count() >= 200
        assert elapsed < 5
        # Closed cases have an outcome and a close date; open ones neither (DB constraint
        # too), and every case starts with its opening action.
        assert not cases.filter(status="closed", outcome="").exists()
        assert set(cases.values_list("status", flat=True)) >= {"open", "referred", "closed"}
        assert not cases.annotate(n=Count("actions")).filter(n=0).exists()
        for year, last in CaseSequence.objects.values_list("year", "last"):
            numbers = sorted(cases.filter(year=year).values_list("number", flat=True))
            assert numbers == list(range(1, last + 1))
        assert Referral.objects.filter(target_met=False).exists()
        assert Referral.objects.filter(target_met=True).exists()
        assert Officer.objects.filter(is_active=True).count() >= 8
        assert Action.objects.filter(on_behalf_of__isnull=False).exists()
        # Search vectors are filled in: the owner finds their cases by word.
        found = case_list_for_user(user=cast.owner, filters=CaseFilters(q="pothole"))
        assert all(c.owner_id == cast.owner.pk or c.sharing != "private" for c in found)
        total = Action.objects.count()
    seed(council=council_a, rng=random.Random("demo-test"))
    with in_council(council_a):
        assert Action.objects.count() == total

"""seed_demo's console and survey data: sign-ins, answers and figures, idempotent."""

from __future__ import annotations

import random

import pytest

from accounts.models import LoginEvent
from console import demo_seeder as console_demo
from console.models import CouncilMonthlyFigures, CouncilStats
from feedback import demo_seeder as feedback_demo
from feedback.models import SurveyResponse
from tests.conftest import in_council

pytestmark = pytest.mark.django_db


def test_demo_fills_the_console_once(council_a, make_user) -> None:
    for n in range(3):
        make_user(council_a, role="councillor", email=f"c{n}@a.gov.uk")
    for _ in range(2):
        feedback_demo.seed(council=council_a, rng=random.Random(1))
        console_demo.seed(council=council_a, rng=random.Random(1))
    with in_council(council_a):
        answers = SurveyResponse.objects.count()
        assert answers == 3 * 4  # three councillors, four months, once
        assert LoginEvent.objects.count() >= 30
    assert CouncilMonthlyFigures.objects.filter(council=council_a).exists()
    assert CouncilStats.objects.get(council=council_a).councillors == 3

"""Demo data for `seed_demo`: councillors' survey answers over the last four months."""

from __future__ import annotations

import random
from datetime import date

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from feedback.models import LATER_QUESTIONS, SurveyResponse
from tenants.models import Council

COMMENTS = [
    "Referral reminders save me chasing officers by hand.",
    "Finding a constituent's earlier cases is quick now.",
    "Would like fewer clicks to log a phone call.",
    "",
    "",
]


def seed(*, council: Council, rng: random.Random) -> None:
    """Skipped when the council already has answers (idempotent)."""
    with schema_context(council.schema_name), transaction.atomic():
        if SurveyResponse.objects.exists():
            return
        this_month = timezone.localdate().replace(day=1)
        months = []
        month = this_month
        for _ in range(4):
            months.append(month)
            month = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
        answers = []
        for councillor in User.objects.filter(role=User.Role.COUNCILLOR):
            for month in months:
                if rng.random() < 0.25:
                    answers.append(SurveyResponse(user=councillor, month=month, skipped=True))
                    continue
                lean = rng.choice([3, 4, 4, 5])
                answers.append(
                    SurveyResponse(
                        user=councillor,
                        month=month,
                        quicker=max(1, min(5, lean + rng.choice([-1, 0, 0, 1]))),
                        engagement=max(1, min(5, lean + rng.choice([-1, 0, 1]))),
                        easy=max(1, min(5, lean + rng.choice([-1, 0, 0, 1]))),
                        # The later questions (criteria 3, 4, 6) were first asked this
                        # month: older answers have none, as real ones would.
                        **(
                            {
                                name: max(1, min(5, lean + rng.choice([-1, 0, 0, 1])))
                                for name in LATER_QUESTIONS
                            }
                            if month == this_month
                            else {}
                        ),
                        comment=rng.choice(COMMENTS),
                    )
                )
        SurveyResponse.objects.bulk_create(answers)

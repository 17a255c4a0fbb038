"""Demo data for `seed_demo`, run after the other apps' demo data: councillors' sign-in
history (so adoption figures have something to show), then the council's comparison
figures, so the console is populated without waiting for the nightly refresh."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import LoginEvent, User
from console.services import council_figures_refresh
from tenants.models import Council


def seed(*, council: Council, rng: random.Random) -> None:
    with schema_context(council.schema_name), transaction.atomic():
        if not LoginEvent.objects.exists():
            now = timezone.now()
            LoginEvent.objects.bulk_create(
                LoginEvent(user=councillor, at=now - timedelta(days=rng.uniform(0, 120)))
                for councillor in User.objects.filter(role=User.Role.COUNCILLOR)
                for _ in range(rng.randint(10, 50))
            )
    council_figures_refresh(schema_name=council.schema_name)

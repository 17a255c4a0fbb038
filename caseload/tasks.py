"""Caseload background jobs. Thin: they call a service or calendar function, and are safe to
run twice (acks_late may redeliver)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from caseload.calendar import holiday_ensure_defaults
from caseload.services import case_refresh_search_vector
from core.tasks import retry_policy


@shared_task(
    name="caseload.holidays_seed",
    **retry_policy(),
)
def holidays_seed() -> list[int]:
    """Seed this council's Scottish default holidays for this year and next, so target dates
    computed in December already skip January's holidays. Idempotent."""
    year = timezone.localdate().year
    holiday_ensure_defaults([year, year + 1])
    return [year, year + 1]


@shared_task(
    name="caseload.search_vector_refresh",
    **retry_policy(),
)
def search_vector_refresh(case_ids: list[int]) -> int:
    """Rebuild the full-text vectors of these cases (e.g. after a bulk import)."""
    case_refresh_search_vector(case_ids=[int(i) for i in case_ids])
    return len(case_ids)

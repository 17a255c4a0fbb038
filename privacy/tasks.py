"""The nightly retention run (thin: one council per task, through tenants.fan_out)."""

from __future__ import annotations

from celery import shared_task

from core.tasks import retry_policy
from privacy import services


@shared_task(name="privacy.retention_run", **retry_policy(max_retries=3))
def retention_run_task() -> int:
    """Idempotent: a rerun anonymises only what is still due and not yet done."""
    return len(services.retention_run().anonymised_case_ids)

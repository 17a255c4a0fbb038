"""The audit log's daily retention purge (thin: a service call, idempotent)."""

from __future__ import annotations

from celery import shared_task

from audit import services
from core.tasks import retry_policy


@shared_task(name="audit.purge", **retry_policy(max_retries=3))
def audit_purge_task() -> int:
    """Daily, in public and (through tenants.fan_out) in every council."""
    return services.audit_purge()

"""Thin Celery tasks: ids in, a service does the work."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError
from django_tenants.utils import schema_context

from console import services
from core.tasks import retry_policy
from core.tenancy import current_schema


@shared_task(name="console.onboarding_run")
def onboarding_run_task(job_id: int) -> str:
    """Queued from public. Not retried: a failure is recorded on the job, with its stage,
    and nothing was created, so the central body can correct the details and start again."""
    return str(services.onboarding_run(job_id=job_id).status)


@shared_task(
    name="console.council_figures_refresh",
    **retry_policy(max_retries=3),
)
def council_figures_refresh_task() -> int:
    """Runs in a council's schema (queued by tenants.fan_out, nightly or on demand)."""
    schema = current_schema()
    try:
        return services.council_figures_refresh(schema_name=schema)
    except OperationalError:
        raise
    except Exception as exc:
        with schema_context("public"):
            services.council_figures_record_failure(
                schema_name=schema, error=services.figures_failure_text(exc)
            )
        raise

"""Platform-wide jobs. Beat fires `fan_out` in public; it queues one job per ready council,
each stamped with that council's schema by tenant-schemas-celery, spread by random jitter so
hundreds of councils do not hit the database in the same second."""

from __future__ import annotations

import logging
import random

from celery import shared_task
from django.db import OperationalError
from django_tenants.utils import schema_context

from core.tenancy import current_schema
from tenants.selectors import council_list_ready
from tenants.services import council_record_heartbeat

logger = logging.getLogger(__name__)

DEFAULT_JITTER_SECONDS = 120


@shared_task(
    name="tenants.fan_out",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def fan_out(task_name: str, jitter_seconds: int = DEFAULT_JITTER_SECONDS) -> int:
    """Queue `task_name` once per ready council; councils still provisioning are skipped."""
    from config.celery_app import app

    schemas = list(council_list_ready().values_list("schema_name", flat=True))
    for schema in schemas:
        with schema_context(schema):
            app.send_task(task_name, countdown=random.uniform(0, jitter_seconds))
    logger.info("fan_out %s to %d councils", task_name, len(schemas))
    return len(schemas)


@shared_task(
    name="tenants.council_heartbeat",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def council_heartbeat() -> str | None:
    """Record the council's last sign-in on its public row (for the central directory)."""
    return council_record_heartbeat(schema_name=current_schema())


@shared_task(
    name="tenants.spare_pool_refill",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def spare_pool_refill_task() -> int:
    """Keep spare schemas ready so the next council is provisioned by a rename."""
    from tenants.cloning import spare_pool_refill

    return spare_pool_refill()

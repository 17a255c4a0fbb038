"""Platform-wide jobs. Beat fires `fan_out` in public; it queues one job per ready council,
each stamped with that council's schema by tenant-schemas-celery, spread by random jitter so
hundreds of councils do not hit the database in the same second."""

from __future__ import annotations

import logging
import random

from celery import current_app, shared_task
from django_tenants.utils import schema_context

from core.tasks import retry_policy
from core.tenancy import current_schema
from tenants import services
from tenants.cloning import spare_pool_refill
from tenants.selectors import council_list_ready

logger = logging.getLogger(__name__)

DEFAULT_JITTER_SECONDS = 120


@shared_task(
    name="tenants.fan_out",
    **retry_policy(),
)
def fan_out(task_name: str, jitter_seconds: int = DEFAULT_JITTER_SECONDS) -> int:
    """Queue `task_name` once per ready council; councils still provisioning are skipped."""
    schemas = list(council_list_ready().values_list("schema_name", flat=True))
    for schema in schemas:
        with schema_context(schema):
            current_app.send_task(task_name, countdown=random.uniform(0, jitter_seconds))
    logger.info("fan_out %s to %d councils", task_name, len(schemas))
    return len(schemas)


@shared_task(
    name="tenants.council_heartbeat",
    **retry_policy(),
)
def council_heartbeat() -> str | None:
    """Record the council's last sign-in on its public row (for the central directory)."""
    return services.council_record_heartbeat(schema_name=current_schema())


@shared_task(
    name="tenants.spare_pool_refill",
    **retry_policy(),
)
def spare_pool_refill_task() -> int:
    """Keep spare schemas ready so the next council is provisioned by a rename."""
    return spare_pool_refill()

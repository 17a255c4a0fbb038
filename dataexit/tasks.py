"""Celery tasks: thin, ids in, idempotent (tenant-schemas-celery runs them in the schema
they were queued from)."""

from __future__ import annotations

from celery import shared_task

from core.tasks import retry_policy


@shared_task(
    name="dataexit.build",
    # A large council's archive takes longer than the default limit; below the broker's
    # visibility timeout (config.settings.celery), so it is not delivered twice.
    time_limit=50 * 60,
    soft_time_limit=48 * 60,
    **retry_policy(max_retries=3),
)
def data_exit_build_task(*, data_exit_id: int) -> str:
    from dataexit.services import data_exit_build

    return data_exit_build(data_exit_id=data_exit_id).status


@shared_task(name="dataexit.expire_sweep", **retry_policy(max_retries=3))
def data_exit_expire_sweep_task() -> int:
    """Beat, one job per council (tenants.fan_out): expired archives are deleted."""
    from dataexit.services import data_exit_expire_due

    return data_exit_expire_due()

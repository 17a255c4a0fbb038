"""Reminder tasks. Beat fires `tenants.fan_out("reminders.council_digest")` at 07:00."""

from __future__ import annotations

from celery import shared_task

from core.tasks import retry_policy
from reminders.services import reminders_council_digest


@shared_task(
    name="reminders.council_digest",
    **retry_policy(),
)
def council_digest_task(day: str | None = None) -> dict:
    """One council's morning digests (the schema comes with the task). Idempotent: a retry
    or a duplicate tick enqueues nothing new."""
    from datetime import date

    run = reminders_council_digest(day=date.fromisoformat(day) if day else None)
    return {
        "day": run.day.isoformat(),
        "skipped": run.skipped,
        "digests": run.digests,
        "bfs_delivered": run.bfs_delivered,
        "no_action_bfs_created": run.no_action_bfs_created,
    }

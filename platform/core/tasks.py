"""Celery plumbing every app's tasks share, and the platform's diagnostics task.

Tasks are thin (ids in, a service call) and idempotent, so a retry is always safe. The
retry policy is one rule: database errors (a failover, a restart, too many connections)
are retried with exponential back-off; anything else fails at once and is reported.
"""

from __future__ import annotations

import platform
from typing import Any

import celery
import stripe
from celery import shared_task
from django.db import OperationalError

from core.tenancy import current_schema

DEFAULT_MAX_RETRIES = 5


def retry_policy(
    *also: type[BaseException], max_retries: int = DEFAULT_MAX_RETRIES
) -> dict[str, Any]:
    """Keyword arguments for `@shared_task`: retry on database errors (and on `also`, e.g.
    OSError for an SMTP relay), backing off exponentially, at most `max_retries` times."""
    return {
        "autoretry_for": (OperationalError, *also),
        "retry_backoff": True,
        "max_retries": max_retries,
    }


@shared_task(name="core.diagnostics")
def diagnostics() -> dict[str, str]:
    """What a worker runs on: used by operators (and tests) to check a worker end to end."""
    return {
        "python": platform.python_version(),
        "stripe": stripe.VERSION,
        "celery": celery.__version__,
        "schema": current_schema(),
    }

from __future__ import annotations

import platform

import celery
import stripe
from celery import shared_task

from core.tenancy import current_schema


@shared_task(name="core.diagnostics")
def diagnostics() -> dict[str, str]:
    """What a worker runs on: used by operators (and tests) to check a worker end to end."""
    return {
        "python": platform.python_version(),
        "stripe": stripe.VERSION,
        "celery": celery.__version__,
        "schema": current_schema(),
    }

"""Billing jobs. Thin: ids in, a service call, safe to run twice."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from billing import services
from core.tasks import retry_policy

logger = logging.getLogger(__name__)


@shared_task(
    name="billing.licence_daily",
    **retry_policy(),
)
def licence_daily() -> dict[str, int]:
    """Beat, once a day, in public: end expired trials and grace periods; trial notices."""
    now = timezone.now()
    lapsed_trials = services.licence_expire_trials(now=now)
    lapsed_overdue = services.licence_lapse_overdue(now=now)
    notices = services.trial_notices_create(now=now)
    summary = {
        "trials_lapsed": len(lapsed_trials),
        "past_due_lapsed": len(lapsed_overdue),
        "trial_notices": len(notices),
    }
    logger.info("billing daily run: %s", summary)
    return summary


@shared_task(
    name="billing.trial_notice_send",
    **retry_policy(OSError),
)
def trial_notice_send(notice_id: int) -> int:
    return services.trial_notice_send(notice_id=notice_id)


@shared_task(
    name="billing.licence_notify_transition",
    **retry_policy(OSError),
)
def licence_notify_transition(transition_id: int) -> int:
    return services.licence_transition_notify(transition_id=transition_id)

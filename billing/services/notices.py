"""Emails to a council's admins: trial ending (14 and 3 days before) and every licence change."""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from billing import tasks
from billing.models import TRIAL_STATES, Licence, LicenceTransition, TrialNotice
from billing.selectors import council_admin_emails
from core.links import council_url
from mailer.services import outbox_enqueue

logger = logging.getLogger(__name__)

# (kind, days before the end at which it becomes due). The 3-day notice wins when both are
# due, so a trial shorter than 14 days gets one notice, not two on the same morning.
NOTICE_SCHEDULE = ((TrialNotice.Kind.DAYS_3, 3), (TrialNotice.Kind.DAYS_14, 14))


def _enqueue_in_public(**message: Any) -> None:
    """Into the platform's own outbox, whichever schema the task runs in (tenant-schemas-celery
    runs it in the schema that queued it): public always exists, even after a council's data
    is deleted, and the same transaction covers it."""
    with schema_context(get_public_schema_name()):
        outbox_enqueue(**message)


def _queue_trial_notice(notice_id: int) -> None:
    tasks.trial_notice_send.delay(notice_id=notice_id)


def trial_notices_create(*, now: datetime | None = None) -> list[int]:
    """Record (once) each trial-ending notice that has fallen due and queue its email."""
    now = now or timezone.now()
    horizon = now + timedelta(days=max(days for _, days in NOTICE_SCHEDULE))
    candidates = Licence.objects.filter(
        state__in=list(TRIAL_STATES), trial_ends_at__gt=now, trial_ends_at__lte=horizon
    ).only("pk", "trial_ends_at")
    created = []
    for licence in candidates:
        ends = licence.trial_ends_at
        if ends is None:
            continue
        kind = next(k for k, days in NOTICE_SCHEDULE if ends - now <= timedelta(days=days))
        try:
            with transaction.atomic():
                notice, made = TrialNotice.objects.get_or_create(
                    licence_id=licence.pk, kind=kind, trial_ends_at=ends
                )
                if made:
                    # partial, not a lambda: the callback runs after the loop has moved on.
                    transaction.on_commit(partial(_queue_trial_notice, notice.pk))
        except IntegrityError:  # a concurrent run made it
            continue
        if made:
            created.append(notice.pk)
    return created


def trial_notice_send(*, notice_id: int) -> int:
    """Email the notice to the council's admins, once. Returns how many were emailed."""
    with transaction.atomic():
        notice = (
            TrialNotice.objects.select_for_update()
            .select_related("licence__council")
            .filter(pk=notice_id)
            .first()
        )
        if notice is None or notice.sent_at is not None:
            return 0
        licence = notice.licence
        if licence.state not in TRIAL_STATES or licence.trial_ends_at != notice.trial_ends_at:
            # Converted or extended since it was queued: the notice no longer applies.
            notice.sent_at = timezone.now()
            notice.save(update_fields=["sent_at", "updated_at"])
            return 0
        recipients = council_admin_emails(council=licence.council)
        days_left = max(
            1, math.ceil((notice.trial_ends_at - timezone.now()).total_seconds() / 86400)
        )
        context = {
            "council": licence.council,
            "licence": licence,
            "days_left": days_left,
            "trial_ends_at": notice.trial_ends_at,
            "billing_url": council_url(slug=licence.council.slug, path="/billing/"),
            "PLATFORM_NAME": settings.PLATFORM_NAME,
        }
        if recipients:
            # Through the (public) outbox, in this transaction: a broken mail relay delays the
            # notice instead of failing the task, and a retried task enqueues nothing new.
            _enqueue_in_public(
                to=recipients,
                subject=f"{licence.council.name}: your trial ends in {days_left} days",
                body_text=render_to_string("billing/emails/trial_ending.txt", context),
                dedupe_key=f"billing:trial-notice:{notice.pk}",
                kind="billing_notice",
            )
        notice.sent_at = timezone.now()
        notice.recipients = len(recipients)
        notice.save(update_fields=["sent_at", "recipients", "updated_at"])
        return len(recipients)


def licence_transition_notify(*, transition_id: int) -> int:
    """Email the council's admins about one licence change, once."""
    with transaction.atomic():
        transition = (
            LicenceTransition.objects.select_for_update()
            .select_related("licence__council")
            .filter(pk=transition_id)
            .first()
        )
        if transition is None or transition.notified_at is not None:
            return 0
        licence = transition.licence
        if licence.data_deleted_at is not None:
            return 0
        recipients = council_admin_emails(council=licence.council)
        context = {
            "council": licence.council,
            "licence": licence,
            "transition": transition,
            "from_label": LicenceTransition(to_state=transition.from_state).get_to_state_display()
            if transition.from_state
            else "",
            "to_label": transition.get_to_state_display(),
            "billing_url": council_url(slug=licence.council.slug, path="/billing/"),
            "grace_days": settings.BILLING_PAST_DUE_GRACE_DAYS,
            "PLATFORM_NAME": settings.PLATFORM_NAME,
        }
        if recipients:
            _enqueue_in_public(
                to=recipients,
                subject=(
                    f"{licence.council.name}: licence is now "
                    f"{transition.get_to_state_display().lower()}"
                ),
                body_text=render_to_string("billing/emails/licence_changed.txt", context),
                dedupe_key=f"billing:licence-transition:{transition.pk}",
                kind="billing_notice",
            )
        transition.notified_at = timezone.now()
        transition.save(update_fields=["notified_at", "updated_at"])
        return len(recipients)

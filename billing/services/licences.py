"""The licence state machine and the rules it enforces (seat cap, read-only)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.selectors import user_count_councillors
from billing import tasks
from billing.models import (
    ALLOWED_TRANSITIONS,
    READ_ONLY_STATES,
    TRIAL_STATES,
    Licence,
    LicenceState,
    LicenceTransition,
)
from core.errors import ApplicationError, StateError, ValidationFailed
from core.tenancy import PUBLIC_SCHEMA
from tenants.models import Council

logger = logging.getLogger(__name__)


class SeatCapReached(ApplicationError):
    status_code = 409
    code = "seat_cap_reached"


class IllegalTransition(StateError):
    code = "illegal_licence_transition"


class LicenceReadOnly(StateError):
    """The council's licence has lapsed or been cancelled: reading and export only."""

    status_code = 403
    code = "licence_read_only"


READ_ONLY_MESSAGES = {
    LicenceState.LAPSED: (
        "This council's licence has lapsed, so the service is read-only: you can sign in, "
        "read, search and export, but not create or change anything. Nothing has been "
        "deleted. Your council administrator can renew the licence with the central body."
    ),
    LicenceState.CANCELLED: (
        "This council's licence has been cancelled, so the service is read-only: you can "
        "sign in, read, search and export your data, but not create or change anything."
    ),
}


def _queue_transition_notice(transition_id: int) -> None:
    tasks.licence_notify_transition.delay(transition_id=transition_id)


@transaction.atomic
def licence_transition(
    *,
    licence: Licence,
    to_state: str,
    actor: str,
    reason: str,
    stripe_event_id: str = "",
    retention_days: int | None = None,
) -> LicenceTransition:
    """Move a licence to `to_state`, the only way its state ever changes.

    Checks the move against ALLOWED_TRANSITIONS under a row lock, records who, when and why,
    keeps the state's own dates in step, and emails the council's admins once the
    transaction commits. `licence` is refreshed in place.
    """
    if to_state not in LicenceState.values:
        raise ValidationFailed(
            f"Unknown licence state '{to_state}'; choose one of: {', '.join(LicenceState.values)}."
        )
    if not actor.strip():
        raise ValidationFailed("A licence change needs an actor (who made it).")
    if not reason.strip():
        raise ValidationFailed("A licence change needs a reason.")
    locked = Licence.objects.select_for_update().get(pk=licence.pk)
    from_state = locked.state
    if to_state not in ALLOWED_TRANSITIONS.get(from_state, frozenset()):
        allowed = sorted(ALLOWED_TRANSITIONS.get(from_state, frozenset()))
        raise IllegalTransition(
            f"A licence cannot go from '{from_state}' to '{to_state}'. From '{from_state}' it "
            f"can go to: {', '.join(allowed) or 'nothing (it is final)'}.",
            extra={"from_state": from_state, "to_state": to_state},
        )

    now = timezone.now()
    locked.state = to_state
    fields = ["state", "updated_at"]
    if to_state == LicenceState.PAST_DUE:
        locked.past_due_since = now
        fields.append("past_due_since")
    elif locked.past_due_since is not None:
        locked.past_due_since = None
        fields.append("past_due_since")
    if to_state == LicenceState.CANCELLED:
        days = settings.BILLING_RETENTION_DAYS if retention_days is None else retention_days
        if days < 0 or days > 3650:
            raise ValidationFailed("Retention must be between 0 and 3650 days.")
        locked.cancelled_at = now
        locked.retention_until = now + timedelta(days=days)
        fields += ["cancelled_at", "retention_until"]
    locked.save(update_fields=fields)

    transition = LicenceTransition.objects.create(
        licence=locked,
        from_state=from_state,
        to_state=to_state,
        actor=actor.strip(),
        reason=reason.strip(),
        stripe_event_id=stripe_event_id,
    )
    transaction.on_commit(lambda: _queue_transition_notice(transition.pk))
    logger.info(
        "licence %s (%s): %s -> %s by %s",
        locked.pk,
        locked.council_id,
        from_state,
        to_state,
        actor,
    )
    licence.refresh_from_db()
    return transition


@transaction.atomic
def licence_start_trial(*, council: Council, days: int, seats: int, actor: str) -> Licence:
    licence = Licence.objects.create(
        council=council,
        state=LicenceState.TRIAL,
        trial_ends_at=timezone.now() + timedelta(days=days),
        seats=seats,
    )
    LicenceTransition.objects.create(
        licence=licence,
        from_state="",
        to_state=LicenceState.TRIAL,
        actor=actor,
        reason=f"{days}-day trial with {seats} councillor seats",
    )
    return licence


@transaction.atomic
def licence_extend_trial(*, licence: Licence, days: int, actor: str, reason: str) -> Licence:
    """The central body gives a council more trial time (also after the trial lapsed)."""
    if days < 1 or days > 365:
        raise ValidationFailed("A trial can be extended by 1 to 365 days.")
    if not reason.strip():
        raise ValidationFailed("Say why the trial is being extended.")
    if licence.stripe_subscription_id and licence.state not in (
        LicenceState.TRIAL,
        LicenceState.TRIAL_EXTENDED,
    ):
        raise StateError(
            "This council has a paid subscription, so its licence cannot go back to a trial."
        )
    now = timezone.now()
    start = max(licence.trial_ends_at or now, now)
    new_end = start + timedelta(days=days)
    licence_transition(
        licence=licence,
        to_state=LicenceState.TRIAL_EXTENDED,
        actor=actor,
        reason=f"Trial extended by {days} days to {new_end:%d %B %Y}: {reason.strip()}",
    )
    Licence.objects.filter(pk=licence.pk).update(trial_ends_at=new_end, updated_at=now)
    licence.refresh_from_db()
    return licence


def licence_assert_seat_available(*, schema_name: str) -> None:
    """Refuse a new councillor when the council's licence has no free seat."""
    licence = Licence.objects.filter(council__schema_name=schema_name).first()
    if licence is None:
        return
    used = user_count_councillors()
    if used >= licence.seats:
        raise SeatCapReached(
            f"All {licence.seats} councillor seats on this council's licence are in use. "
            "Ask the central body to add seats, or deactivate a councillor first."
        )


def licence_assert_writable(*, schema_name: str) -> None:
    """Refuse any create or change in a council whose licence is read-only.

    Every service that writes a council's data calls this first (pass
    `core.tenancy.current_schema()`), so the API, the web UI and Celery tasks all obey the
    same rule; the read-only middleware only adds a friendlier refusal for HTTP.
    """
    if schema_name == PUBLIC_SCHEMA or schema_name == settings.TENANT_BASE_SCHEMA:
        return
    state = (
        Licence.objects.filter(council__schema_name=schema_name)
        .values_list("state", flat=True)
        .first()
    )
    if state in READ_ONLY_STATES:
        raise LicenceReadOnly(READ_ONLY_MESSAGES[LicenceState(state)])


def licence_expire_trials(*, now: datetime | None = None) -> list[int]:
    """Trials whose end has passed become lapsed (read-only). Returns the licence ids."""
    now = now or timezone.now()
    due = Licence.objects.filter(
        state__in=[LicenceState.TRIAL, LicenceState.TRIAL_EXTENDED], trial_ends_at__lte=now
    ).values_list("pk", flat=True)
    moved = []
    for pk in due:
        with transaction.atomic():
            # Re-read under the lock: the trial may have been converted or extended since.
            licence = (
                Licence.objects.select_for_update()
                .filter(pk=pk, state__in=list(TRIAL_STATES), trial_ends_at__lte=now)
                .first()
            )
            if licence is None or licence.trial_ends_at is None:
                continue
            licence_transition(
                licence=licence,
                to_state=LicenceState.LAPSED,
                actor="system",
                reason=(
                    f"Trial ended on {licence.trial_ends_at:%d %B %Y} without conversion "
                    "to a paid licence."
                ),
            )
        moved.append(pk)
    return moved


def licence_lapse_overdue(*, now: datetime | None = None) -> list[int]:
    """Past-due licences whose grace period has run out become lapsed (read-only)."""
    now = now or timezone.now()
    grace = timedelta(days=settings.BILLING_PAST_DUE_GRACE_DAYS)
    due = Licence.objects.filter(
        state=LicenceState.PAST_DUE, past_due_since__lte=now - grace
    ).values_list("pk", flat=True)
    moved = []
    for pk in due:
        with transaction.atomic():
            licence = (
                Licence.objects.select_for_update()
                .filter(pk=pk, state=LicenceState.PAST_DUE, past_due_since__lte=now - grace)
                .first()
            )
            if licence is None:
                continue
            licence_transition(
                licence=licence,
                to_state=LicenceState.LAPSED,
                actor="system",
                reason=(
                    f"Payment still overdue after the {settings.BILLING_PAST_DUE_GRACE_DAYS}-day "
                    "grace period."
                ),
            )
        moved.append(pk)
    return moved

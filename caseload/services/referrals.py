"""Referring a case to an officer, recording the officer's reply, and their requests for
more time (which the councillor accepts or refuses, unless the council accepts them
automatically). "On time" is caseload.targets' rule: against the original target."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from caseload.calendar import WorkingCalendar
from caseload.models import Action, Case, Officer, Referral, ReferralExtension
from caseload.selectors.consent import shares_with_officers
from caseload.selectors.settings import caseload_settings_get
from caseload.services.cases import STATUS_TRANSITIONS, _lock, _record, _validate_time_spent
from caseload.services.permissions import assert_can_change_case, assert_council_writable
from caseload.signals import referral_event, referral_extension_decided
from caseload.targets import reply_on_time
from core.errors import Conflict, StateError, ValidationFailed


def _announce(*, case: Case, event: str, referral: Referral) -> None:
    """Tell the apps built on caseload (reminders' BF rules) in this transaction."""
    referral_event.send(sender=Referral, case=case, event=event, referral=referral)


def _announce_decision(*, extension: ReferralExtension, referral: Referral) -> None:
    """Tell the apps built on caseload that a request for more time was answered, in this
    transaction (correspondence emails the officer through the outbox, so the email exists
    only if the decision commits)."""
    referral_extension_decided.send(
        sender=ReferralExtension, extension=extension, referral=referral, case=referral.case
    )


@transaction.atomic
def referral_create(
    *,
    actor: User,
    case: Case,
    officer: Officer,
    working_days: int | None = None,
    target_date: date | None = None,
    note: str = "",
    sent_at: datetime | None = None,
    time_spent_minutes: int | None = None,
) -> Referral:
    """Refer `case` to `officer`. The target is `working_days` working days after the day it
    is sent (default: the council's setting, usually 10), skipping weekends and the
    council's holidays; or an explicit `target_date`. The case becomes "referred"."""
    assert_council_writable()
    assert_can_change_case(actor=actor, case=case)
    _validate_time_spent(time_spent_minutes)
    if not officer.is_active:
        raise ValidationFailed(
            f"{officer.name} has left; choose an active officer.",
            extra={"officer": ["Officer has left."]},
        )
    if working_days is not None and target_date is not None:
        raise ValidationFailed(
            "Give working days or a target date, not both.",
            extra={"target_date": ["Give one of working_days and target_date."]},
        )
    now = timezone.now()
    sent_at = sent_at or now
    if sent_at > now + timedelta(minutes=5):
        raise ValidationFailed("A referral cannot be sent in the future.")
    sent_day = timezone.localdate(sent_at)
    if target_date is not None:
        if target_date <= sent_day:
            raise ValidationFailed(
                "The target date must be after the day the referral is sent.",
                extra={"target_date": ["Must be after the sending day."]},
            )
        calendar = WorkingCalendar.for_years(range(sent_day.year, target_date.year + 1))
        working_days = calendar.working_days_between(sent_day, target_date)
    else:
        working_days = working_days or caseload_settings_get().referral_target_days
        if not 1 <= working_days <= 120:
            raise ValidationFailed(
                "A referral target is between 1 and 120 working days.",
                extra={"working_days": ["From 1 to 120."]},
            )
        target_date = WorkingCalendar.around(sent_day, working_days).add_working_days(
            sent_day, working_days
        )
    case = _lock(case)
    if case.status == Case.Status.CLOSED:
        raise StateError("A closed case cannot be referred; reopen it first.")
    old_status = case.status
    if old_status != Case.Status.REFERRED:
        if Case.Status.REFERRED not in STATUS_TRANSITIONS[old_status]:
            raise StateError(f"A {case.get_status_display().lower()} case cannot be referred.")
        case.status = Case.Status.REFERRED
        case.save(update_fields=["status", "updated_at"])
    referral = Referral.objects.create(
        case=case,
        officer=officer,
        created_by=actor,
        note=(note or "").strip(),
        sent_at=sent_at,
        working_days=working_days,
        target_date=target_date,
        original_target_date=target_date,
    )
    text = (
        f"Referred to {officer.name}"
        + (f" ({officer.service})" if officer.service else "")
        + f"; reply due by {target_date:%d %b %Y} ({working_days} working days)"
        + (f". {referral.note}" if referral.note else "")
    )
    withheld = not shares_with_officers(case.constituent)
    if withheld:
        text += (
            ". The constituent has not agreed to share their details with officers: "
            "the officer is sent the matter without them"
        )
    _record(
        case=case,
        actor=actor,
        kind=Action.Kind.REFERRAL,
        text=text,
        data={
            "referral_id": referral.pk,
            "officer_id": officer.pk,
            "target_date": target_date.isoformat(),
            "working_days": working_days,
            "from": old_status,
            "to": Case.Status.REFERRED,
            "details_withheld": withheld,
        },
        occurred_at=sent_at,
        time_spent_minutes=time_spent_minutes,
    )
    _announce(case=case, event="referral", referral=referral)
    return referral


@transaction.atomic
def referral_record_reply(
    *,
    actor: User,
    referral: Referral,
    text: str = "",
    replied_at: datetime | None = None,
    time_spent_minutes: int | None = None,
    data: dict[str, Any] | None = None,
    by_officer: bool = False,
) -> Referral:
    """Record the officer's reply: whether it came by the original target (caseload.targets),
    an OFFICER_REPLY action, and the case moves to "reply received" (unless it is closed).
    `data` adds detail to the action (e.g. correspondence's {"via": "officer_link"}).
    `by_officer`: the officer sent it themselves (their link, their email), so the entry
    is theirs; otherwise `actor` recorded it (typed in from a phone call, say). A request
    for more time still waiting is overtaken by the reply."""
    assert_council_writable()
    case = referral.case
    assert_can_change_case(actor=actor, case=case)
    _validate_time_spent(time_spent_minutes)
    locked = Referral.objects.select_for_update().select_related("officer").get(pk=referral.pk)
    if locked.replied_at is not None:
        raise Conflict(f"The reply to this referral was recorded on {locked.replied_at:%d %b %Y}.")
    now = timezone.now()
    replied_at = replied_at or now
    if replied_at > now + timedelta(minutes=5):
        raise ValidationFailed("A reply cannot arrive in the future.")
    if replied_at < locked.sent_at:
        raise ValidationFailed(
            "The reply cannot come before the referral was sent.",
            extra={"replied_at": ["Before the referral was sent."]},
        )
    locked.replied_at = replied_at
    locked.target_met = reply_on_time(
        replied_at=replied_at, original_target_date=locked.original_target_date
    )
    locked.save(update_fields=["replied_at", "target_met", "updated_at"])
    ReferralExtension.objects.filter(referral=locked, state=ReferralExtension.State.PENDING).update(
        state=ReferralExtension.State.WITHDRAWN, decided_at=now, updated_at=now
    )
    case = _lock(case)
    old_status = case.status
    data = {
        **(data or {}),
        "referral_id": locked.pk,
        "officer_id": locked.officer_id,
        "target_met": locked.target_met,
    }
    if old_status not in (Case.Status.CLOSED, Case.Status.REPLY_RECEIVED):
        case.status = Case.Status.REPLY_RECEIVED
        case.save(update_fields=["status", "updated_at"])
        data.update({"from": old_status, "to": Case.Status.REPLY_RECEIVED})
    summary = f"Reply from {locked.officer.name} " + (
        "within target"
        if locked.target_met
        else f"after the target of {locked.original_target_date:%d %b %Y}"
    )
    if locked.is_extended:
        summary += f" (more time was agreed, to {locked.target_date:%d %b %Y})"
    body = (text or "").strip()
    _record(
        case=case,
        actor=actor,
        kind=Action.Kind.OFFICER_REPLY,
        text=f"{summary}. {body}" if body else summary,
        data=data,
        occurred_at=replied_at,
        time_spent_minutes=time_spent_minutes,
        officer_id=locked.officer_id if by_officer else None,
    )
    _announce(case=case, event="reply_received", referral=locked)
    return locked


MAX_EXTENSION_DAYS = 366


@transaction.atomic
def referral_extension_request(
    *,
    referral: Referral,
    requested_date: date,
    text: str = "",
    data: dict[str, Any] | None = None,
) -> ReferralExtension:
    """The officer asks for more time (through their link; they have no account). The
    request is recorded in the case history as theirs and waits for the councillor, who
    accepts or refuses it on the case page; the target moves only when accepted. A council
    that turned on `auto_accept_extensions` accepts it at once. A new request overtakes one
    still waiting. The referral stays open and the case keeps its status."""
    assert_council_writable()
    locked = (
        Referral.objects.select_for_update()
        .select_related("officer", "case", "case__owner")
        .get(pk=referral.pk)
    )
    if locked.replied_at is not None:
        raise Conflict(f"The reply to this referral was recorded on {locked.replied_at:%d %b %Y}.")
    case = locked.case
    if case.status == Case.Status.CLOSED:
        raise StateError("The case is closed, so there is nothing to ask more time for.")
    today = timezone.localdate()
    if requested_date <= today:
        raise ValidationFailed(
            "The new date must be in the future.", extra={"target_date": ["In the future."]}
        )
    if requested_date > today + timedelta(days=MAX_EXTENSION_DAYS):
        raise ValidationFailed(
            "The new date must be within a year.", extra={"target_date": ["Within a year."]}
        )
    if requested_date <= locked.target_date:
        raise ValidationFailed(
            f"The new date must be after the reply's current due date, "
            f"{locked.target_date:%d %B %Y}.",
            extra={"target_date": [f"After {locked.target_date:%d %b %Y}."]},
        )
    now = timezone.now()
    ReferralExtension.objects.filter(referral=locked, state=ReferralExtension.State.PENDING).update(
        state=ReferralExtension.State.WITHDRAWN, decided_at=now, updated_at=now
    )
    extension = ReferralExtension.objects.create(
        referral=locked,
        requested_date=requested_date,
        previous_target_date=locked.target_date,
        reason=(text or "").strip(),
    )
    automatic = caseload_settings_get().auto_accept_extensions
    body = extension.reason
    summary = (
        f"{locked.officer.name} asks for more time: to reply by {requested_date:%d %b %Y} "
        f"instead of {locked.target_date:%d %b %Y}"
        + (
            ". Accepted automatically (the council's setting)"
            if automatic
            else ". The councillor accepts or refuses this on the case page"
        )
    )
    _record(
        case=_lock(case),
        actor=case.owner,
        kind=Action.Kind.OFFICER_REPLY,
        text=f"{summary}. {body}" if body else summary,
        data={
            **(data or {}),
            "referral_id": locked.pk,
            "officer_id": locked.officer_id,
            "more_time": True,
            "extension_id": extension.pk,
            "previous_target_date": locked.target_date.isoformat(),
            "requested_date": requested_date.isoformat(),
            "original_target_date": locked.original_target_date.isoformat(),
            "automatic": automatic,
        },
        officer_id=locked.officer_id,
    )
    if automatic:
        _extension_apply(extension=extension, referral=locked, decided_by=None, now=now)
        _announce_decision(extension=extension, referral=locked)
    return extension


def _extension_apply(
    *,
    extension: ReferralExtension,
    referral: Referral,
    decided_by: User | None,
    now: datetime,
) -> None:
    """Move the referral's due date to the accepted request (the original target stays)."""
    sent_day = timezone.localdate(referral.sent_at)
    calendar = WorkingCalendar.for_years(range(sent_day.year, extension.requested_date.year + 1))
    referral.target_date = extension.requested_date
    referral.working_days = max(
        1, calendar.working_days_between(sent_day, extension.requested_date)
    )
    referral.save(update_fields=["target_date", "working_days", "updated_at"])
    extension.state = ReferralExtension.State.ACCEPTED
    extension.automatic = decided_by is None
    extension.decided_by = decided_by
    extension.decided_at = now
    extension.save(update_fields=["state", "automatic", "decided_by", "decided_at", "updated_at"])
    _announce(case=referral.case, event="referral_extended", referral=referral)


@transaction.atomic
def referral_extension_decide(
    *, actor: User, extension: ReferralExtension, accept: bool
) -> ReferralExtension:
    """The councillor (or staff acting for them) accepts or refuses an officer's request for
    more time. Accepting moves the date the reply is due; "on time" is still judged against
    the original target. Refusing keeps the current date. Both go in the case history."""
    assert_council_writable()
    case = extension.referral.case
    assert_can_change_case(actor=actor, case=case)
    locked = (
        ReferralExtension.objects.select_for_update(of=("self",))
        .select_related("referral", "referral__officer", "referral__case")
        .get(pk=extension.pk)
    )
    referral = (
        Referral.objects.select_for_update()
        .select_related("officer", "case")
        .get(pk=locked.referral_id)
    )
    locked.referral = referral
    if locked.state != ReferralExtension.State.PENDING:
        raise Conflict(
            f"This request was already {locked.get_state_display().lower()}"
            + (f" on {locked.decided_at:%d %b %Y}" if locked.decided_at else "")
            + "."
        )
    if referral.replied_at is not None:
        raise Conflict("The officer has already replied, so the request no longer applies.")
    now = timezone.now()
    officer = referral.officer.name
    if accept:
        _extension_apply(extension=locked, referral=referral, decided_by=actor, now=now)
        text = (
            f"Accepted {officer}'s request for more time: reply now due by "
            f"{locked.requested_date:%d %b %Y} (original target "
            f"{referral.original_target_date:%d %b %Y}, by which on time is still judged)"
        )
    else:
        locked.state = ReferralExtension.State.REFUSED
        locked.decided_by = actor
        locked.decided_at = now
        locked.save(update_fields=["state", "decided_by", "decided_at", "updated_at"])
        text = (
            f"Refused {officer}'s request for more time: reply still due by "
            f"{referral.target_date:%d %b %Y}"
        )
    _record(
        case=_lock(case),
        actor=actor,
        kind=Action.Kind.REFERRAL,
        text=text,
        data={
            "referral_id": referral.pk,
            "officer_id": referral.officer_id,
            "extension_id": locked.pk,
            "extension": locked.state,
            "target_date": referral.target_date.isoformat(),
            "original_target_date": referral.original_target_date.isoformat(),
        },
    )
    _announce_decision(extension=locked, referral=referral)
    return locked

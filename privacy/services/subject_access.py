"""Subject access requests (UK GDPR art. 15): recording a request, its statutory clock,
the BF that tracks it, confirming which records are the requester's, and closing it.

The archive itself is built in privacy.services.subject_access_archive.

A request belongs to one councillor (the controller of their casework) and is handled by
them or by Members' Services staff acting for them; admins do not read casework, so they
are refused (403), and anyone else gets a 404, as for an invisible case.

The request is tracked on a case of its own (category "Subject access request", the
requester's record as its constituent) with one BF, owned by the handler, due a few working
days before the statutory date: so it shows on the handler's dashboard and in their morning
digest like every other BF, and its history says what was done and when. When the due date
moves (an extension, a stopped clock resumed) the BF moves with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.models import AuditAction
from audit.services import audit_record
from caseload.calendar import WorkingCalendar
from caseload.models import Case, Category, Constituent
from caseload.normalise import normalise_email
from caseload.selectors.access import acting_for_ids
from caseload.services import (
    action_add,
    case_close,
    case_open,
    constituent_create,
)
from caseload.services.permissions import assert_council_writable, require_casework
from core.errors import NotFound, StateError, ValidationFailed
from privacy.models import SubjectAccessRequest
from reminders.models import BF
from reminders.services import bf_add, bf_complete, bf_snooze

SAR = SubjectAccessRequest
CATEGORY_NAME = "Subject access request"
# The BF comes this many working days before the statutory date: time to check the archive
# and send it.
BF_WORKING_DAYS_BEFORE = 3
MAX_EXTENSION_MONTHS = 2
# A request is recorded when it arrives or soon after; older dates are more likely typos.
MAX_DAYS_RECEIVED_AGO = 92


# ---------------------------------------------------------------------------------------
# The statutory clock
# ---------------------------------------------------------------------------------------


def statutory_due_on(*, received_on: date, extension_months: int = 0, paused_days: int = 0) -> date:
    """One calendar month after `received_on` (plus any extension), the day of the month
    kept, or the month's last day when it has no such day (31 January -> 28 or 29
    February); then the days the clock was stopped. relativedelta clamps to the month's end,
    which is the ICO's reading of art. 12(3)."""
    return (
        received_on
        + relativedelta(months=1 + extension_months)
        + timedelta(days=max(paused_days, 0))
    )


def current_due_on(sar: SubjectAccessRequest, *, today: date | None = None) -> date:
    """The due date as of `today`: while the clock is stopped, each stopped day moves it."""
    days = sar.paused_days
    if sar.paused_since is not None:
        days += max(((today or timezone.localdate()) - sar.paused_since).days, 0)
    return statutory_due_on(
        received_on=sar.received_on, extension_months=sar.extension_months, paused_days=days
    )


def bf_date_for(*, due_on: date, today: date | None = None) -> date:
    """`BF_WORKING_DAYS_BEFORE` working days before `due_on`, but never before today."""
    today = today or timezone.localdate()
    calendar = WorkingCalendar.for_years(range(due_on.year - 1, due_on.year + 1))
    day, remaining = due_on, BF_WORKING_DAYS_BEFORE
    while remaining:
        day -= timedelta(days=1)
        if calendar.is_working_day(day):
            remaining -= 1
    return max(day, today)


# ---------------------------------------------------------------------------------------
# Who may handle a request
# ---------------------------------------------------------------------------------------


def assert_handles(*, actor: User, sar: SubjectAccessRequest) -> None:
    """The councillor whose request it is, or staff acting for them. Admins: 403 (they do
    not read casework); everyone else: 404, as if there were no such request."""
    require_casework(actor)
    if sar.councillor_id not in acting_for_ids(actor):
        raise NotFound(f"No subject access request with id {sar.pk}.")


def _councillor_for(actor: User, councillor: User | None) -> User:
    require_casework(actor)
    allowed = acting_for_ids(actor)
    if councillor is None:
        if actor.role == User.Role.COUNCILLOR:
            return actor
        if len(allowed) == 1:
            return User.objects.get(pk=allowed[0])
        raise ValidationFailed(
            "Choose the councillor the request is addressed to.",
            extra={"councillor": ["Choose a councillor you act for."]},
        )
    if councillor.pk not in allowed:
        raise ValidationFailed(
            "You can record requests only for yourself or a councillor you act for.",
            extra={"councillor": ["Not a councillor you act for."]},
        )
    return councillor


def _lock(sar: SubjectAccessRequest) -> SubjectAccessRequest:
    return SAR.objects.select_for_update().get(pk=sar.pk)


def _assert_not_closed(sar: SubjectAccessRequest) -> None:
    if sar.is_closed:
        raise StateError(f"This request is already {sar.get_status_display().lower()}.")


def _note(actor: User, sar: SubjectAccessRequest, text: str) -> None:
    """What was done goes into the tracking case's history too."""
    if sar.case_id is not None:
        case = Case.objects.get(pk=sar.case_id)
        if case.status != Case.Status.CLOSED:
            action_add(actor=actor, case=case, kind="note", text=text)


def _move_bf(actor: User, sar: SubjectAccessRequest) -> None:
    """Keep the BF in step with the due date."""
    if sar.bf_id is None:
        return
    bf = BF.objects.select_related("case").get(pk=sar.bf_id)
    if bf.done:
        return
    wanted = bf_date_for(due_on=sar.due_on)
    today = timezone.localdate()
    if wanted != bf.due_date and wanted > today:
        bf_snooze(actor=actor, bf=bf, until=wanted)


# ---------------------------------------------------------------------------------------
# Writes
# ---------------------------------------------------------------------------------------


def _category() -> Category:
    """The category requests are tracked under, made the first time one is recorded (a
    council's admin may rename or describe it; it is found again by name)."""
    found = Category.objects.filter(name__iexact=CATEGORY_NAME).first()
    if found is not None:
        return found
    return Category.objects.create(
        name=CATEGORY_NAME,
        description="Requests for a copy of what is held about a person (UK GDPR art. 15).",
    )


@transaction.atomic
def subject_access_open(
    *,
    actor: User,
    requester_name: str,
    received_on: date,
    councillor: User | None = None,
    email: str = "",
    phone: str = "",
    postcode: str = "",
    constituent: Constituent | None = None,
) -> SubjectAccessRequest:
    """Record a request received on `received_on` from `requester_name`, due one calendar
    month later, tracked on a case with a BF for `actor`. The case's constituent is
    `constituent` (their existing record) or a new record made from what they gave."""
    assert_council_writable()
    councillor = _councillor_for(actor, councillor)
    name = " ".join((requester_name or "").split())
    if not name or len(name) > 200:
        raise ValidationFailed(
            "Enter the requester's name as they gave it (up to 200 characters).",
            extra={"requester_name": ["Required."]},
        )
    today = timezone.localdate()
    if received_on > today:
        raise ValidationFailed(
            "A request cannot be received in the future.", extra={"received_on": ["Future."]}
        )
    if received_on < today - timedelta(days=MAX_DAYS_RECEIVED_AGO):
        raise ValidationFailed(
            f"Enter a date within the last {MAX_DAYS_RECEIVED_AGO} days.",
            extra={"received_on": ["Too long ago."]},
        )
    email, phone = normalise_email(email), (phone or "").strip()[:40]
    postcode = (postcode or "").strip()[:10]
    if constituent is not None and constituent.owner_id != councillor.pk:
        raise ValidationFailed(
            "That constituent is not one of this councillor's records.",
            extra={"constituent": ["Not this councillor's record."]},
        )
    if constituent is None:
        constituent = constituent_create(
            actor=actor,
            owner=councillor,
            name=name,
            email=email,
            phone=phone,
            postcode=postcode,
            notes="Recorded for their subject access request.",
            allow_duplicate=True,
        )
    due_on = statutory_due_on(received_on=received_on)
    case = case_open(
        actor=actor,
        owner=councillor,
        constituent=constituent,
        title=f"Subject access request from {name}"[:200],
        description=f"Received {received_on:%d %B %Y}; due by {due_on:%d %B %Y}.",
        category=_category(),
    )
    sar = SAR.objects.create(
        councillor=councillor,
        handled_by=actor,
        requester_name=name,
        email=email,
        phone=phone,
        postcode=postcode,
        received_on=received_on,
        due_on=due_on,
        case=case,
    )
    sar.bf = bf_add(
        actor=actor,
        case=case,
        due_date=bf_date_for(due_on=due_on),
        reason=f"Subject access request due {due_on:%d %B %Y}: send the archive",
        owner=actor,
    )
    sar.save(update_fields=["bf", "updated_at"])
    audit_record(
        action=AuditAction.SUBJECT_ACCESS,
        actor=actor,
        on_behalf_of=councillor if councillor.pk != actor.pk else None,
        summary=f"Recorded a subject access request (due {due_on:%d %B %Y}).",
        case_ids=[case.pk],
        case_references=[case.reference],
        constituent_ids=[constituent.pk],
        detail={"request_id": sar.pk, "event": "created", "due_on": due_on.isoformat()},
    )
    return sar


@transaction.atomic
def subject_access_confirm(
    *, actor: User, sar: SubjectAccessRequest, constituent_ids: Iterable[int]
) -> SubjectAccessRequest:
    """Set which of the councillor's constituent records are the requester's: the archive
    holds these and nothing else."""
    assert_council_writable()
    assert_handles(actor=actor, sar=sar)
    sar = _lock(sar)
    _assert_not_closed(sar)
    wanted = sorted({int(pk) for pk in constituent_ids})
    found = set(
        Constituent.objects.filter(pk__in=wanted, owner_id=sar.councillor_id).values_list(
            "pk", flat=True
        )
    )
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        raise ValidationFailed(
            f"Not this councillor's constituent records: {', '.join(map(str, missing))}.",
            extra={"constituent_ids": ["Only records the search found can be confirmed."]},
        )
    sar.confirmed_constituent_ids = wanted
    sar.save(update_fields=["confirmed_constituent_ids", "updated_at"])
    _note(actor, sar, f"Subject access: {len(wanted)} record(s) confirmed as the requester's.")
    return sar


@transaction.atomic
def subject_access_extend(
    *, actor: User, sar: SubjectAccessRequest, months: int, reason: str
) -> SubjectAccessRequest:
    """Extend by `months` further months (at most two in all, art. 12(3)), with the reason
    the requester must be told."""
    assert_council_writable()
    assert_handles(actor=actor, sar=sar)
    sar = _lock(sar)
    _assert_not_closed(sar)
    reason = " ".join((reason or "").split())
    if not reason or len(reason) > 300:
        raise ValidationFailed(
            "Say why the request needs longer (up to 300 characters): the requester is told.",
            extra={"reason": ["Required."]},
        )
    total = sar.extension_months + int(months)
    if int(months) < 1 or total > MAX_EXTENSION_MONTHS:
        left = MAX_EXTENSION_MONTHS - sar.extension_months
        raise ValidationFailed(
            f"A request can be extended by at most {MAX_EXTENSION_MONTHS} months in all; "
            f"{left} month(s) left.",
            extra={"months": [f"1 to {left}." if left else "No extension left."]},
        )
    sar.extension_months = total
    sar.extension_reason = (
        f"{sar.extension_reason}; {reason}" if sar.extension_reason else reason
    )[:300]
    sar.due_on = current_due_on(sar)
    sar.save(update_fields=["extension_months", "extension_reason", "due_on", "updated_at"])
    _note(actor, sar, f"Subject access: extended to {sar.due_on:%d %B %Y}. {reason}")
    _move_bf(actor, sar)
    return sar


@transaction.atomic
def subject_access_pause(
    *, actor: User, sar: SubjectAccessRequest, on: date | None = None
) -> SubjectAccessRequest:
    """Stop the clock while the requester's identity (or what they want) is awaited."""
    assert_council_writable()
    assert_handles(actor=actor, sar=sar)
    sar = _lock(sar)
    _assert_not_closed(sar)
    if sar.status == SAR.Status.PAUSED:
        raise StateError("The clock is already stopped.")
    sar.status, sar.paused_since = SAR.Status.PAUSED, on or timezone.localdate()
    sar.save(update_fields=["status", "paused_since", "updated_at"])
    _note(actor, sar, "Subject access: clock stopped, waiting for identification.")
    return sar


@transaction.atomic
def subject_access_resume(
    *, actor: User, sar: SubjectAccessRequest, on: date | None = None
) -> SubjectAccessRequest:
    """Restart the clock: the days it was stopped are added to the due date."""
    assert_council_writable()
    assert_handles(actor=actor, sar=sar)
    sar = _lock(sar)
    if sar.status != SAR.Status.PAUSED or sar.paused_since is None:
        raise StateError("The clock is not stopped.")
    today = on or timezone.localdate()
    sar.paused_days += max((today - sar.paused_since).days, 0)
    sar.status, sar.paused_since = SAR.Status.OPEN, None
    sar.due_on = current_due_on(sar, today=today)
    sar.save(update_fields=["status", "paused_since", "paused_days", "due_on", "updated_at"])
    _note(actor, sar, f"Subject access: clock restarted; now due {sar.due_on:%d %B %Y}.")
    _move_bf(actor, sar)
    return sar


@transaction.atomic
def subject_access_close(
    *, actor: User, sar: SubjectAccessRequest, status: str, note: str = ""
) -> SubjectAccessRequest:
    """Complete the request (the archive was sent) or refuse it (manifestly unfounded or
    excessive, art. 12(5): the reason is required). The BF is done and the case closed."""
    assert_council_writable()
    assert_handles(actor=actor, sar=sar)
    sar = _lock(sar)
    _assert_not_closed(sar)
    note = " ".join((note or "").split())
    if status not in (SAR.Status.COMPLETED, SAR.Status.REFUSED):
        raise ValidationFailed(
            "Choose completed or refused.", extra={"status": ["completed or refused."]}
        )
    if status == SAR.Status.REFUSED and not note:
        raise ValidationFailed(
            "Say why the request is refused: the requester must be told.",
            extra={"note": ["Required when refusing."]},
        )
    if status == SAR.Status.COMPLETED and not sar.confirmed_constituent_ids:
        raise StateError("Confirm which records are the requester's before completing.")
    if len(note) > 500:
        raise ValidationFailed("Keep the note under 500 characters.", extra={"note": ["Long."]})
    sar.status, sar.paused_since = status, None
    sar.closed_on, sar.closing_note = timezone.localdate(), note
    sar.save(update_fields=["status", "paused_since", "closed_on", "closing_note", "updated_at"])
    if sar.bf_id is not None:
        bf = BF.objects.select_related("case").get(pk=sar.bf_id)
        if not bf.done:
            bf_complete(actor=actor, bf=bf, note=f"Request {status}")
    if sar.case_id is not None:
        case = Case.objects.get(pk=sar.case_id)
        if case.status != Case.Status.CLOSED:
            case_close(
                actor=actor,
                case=case,
                outcome=Case.Outcome.RESOLVED
                if status == SAR.Status.COMPLETED
                else Case.Outcome.NOT_RESOLVED,
                note=note,
            )
    timing = "on time" if sar.closed_on <= sar.due_on else "late"
    audit_record(
        action=AuditAction.SUBJECT_ACCESS,
        actor=actor,
        summary=f"Subject access request {status} ({timing}).",
        case_ids=[sar.case_id] if sar.case_id else [],
        constituent_ids=sar.confirmed_constituent_ids,
        detail={"request_id": sar.pk, "event": status, "due_on": sar.due_on.isoformat()},
    )
    return sar

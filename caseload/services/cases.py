"""Writes for cases and their history. Every change to a case writes an Action.

History is append-only: there is no service that edits or deletes an Action, and the admin
shows actions read-only.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from audit.models import AuditAction
from audit.services import audit_record
from caseload.models import Action, Case, CaseSequence, CaseShare, Category, Constituent, Ward
from caseload.selectors.access import constituent_visible_q
from caseload.selectors.settings import caseload_settings_get
from caseload.services.constituents import constituent_create
from caseload.services.ownership import new_case_owner, on_behalf_of_for
from caseload.services.permissions import (
    assert_can_change_case,
    assert_council_writable,
    require_admin,
)
from caseload.services.search import append_search_text, case_refresh_search_vector
from core.errors import NotFound, StateError, ValidationFailed

S = Case.Status

# Which status may follow which. Closing and reopening have their own services (an outcome
# is recorded on close); "referred" is normally reached through referral_create.
STATUS_TRANSITIONS: dict[str, set[str]] = {
    S.OPEN: {S.REFERRED, S.AWAITING_REPLY, S.REPLY_RECEIVED, S.CLOSED},
    S.REOPENED: {S.REFERRED, S.AWAITING_REPLY, S.REPLY_RECEIVED, S.CLOSED},
    S.REFERRED: {S.AWAITING_REPLY, S.REPLY_RECEIVED, S.CLOSED},
    S.AWAITING_REPLY: {S.REFERRED, S.REPLY_RECEIVED, S.CLOSED},
    S.REPLY_RECEIVED: {S.REFERRED, S.AWAITING_REPLY, S.CLOSED},
    S.CLOSED: {S.REOPENED},
}


def _next_number(year: int) -> int:
    """The next reference number of `year`, gap-free under concurrency.

    The upsert locks the year's row until the surrounding transaction ends, so concurrent
    openings queue; a rolled-back opening rolls its increment back too, leaving no gap.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {CaseSequence._meta.db_table} (year, last) VALUES (%s, 1) "
            f"ON CONFLICT (year) DO UPDATE SET last = {CaseSequence._meta.db_table}.last + 1 "
            "RETURNING last",
            [year],
        )
        return int(cursor.fetchone()[0])


def _record(
    *,
    case: Case,
    actor: User,
    kind: str,
    text: str = "",
    data: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
    time_spent_minutes: int | None = None,
    touch: bool = True,
    officer_id: int | None = None,
) -> Action:
    action = Action.objects.create(
        case=case,
        kind=kind,
        text=text,
        author=actor,
        officer_id=officer_id,
        on_behalf_of_id=on_behalf_of_for(actor=actor, owner_id=case.owner_id),
        occurred_at=occurred_at or timezone.now(),
        time_spent_minutes=time_spent_minutes,
        data=data or {},
    )
    if touch:
        case.updated_at = timezone.now()
        Case.objects.filter(pk=case.pk).update(updated_at=case.updated_at)
    append_search_text(case.pk, text)
    return action


def _lock(case: Case) -> Case:
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("constituent", "category", "ward", "owner")
        .filter(pk=case.pk)
        .first()
    )
    if locked is None:
        raise NotFound(f"No case with id {case.pk}.")
    return locked


def _validate_time_spent(minutes: int | None) -> None:
    if minutes is not None and not 1 <= minutes <= 24 * 60:
        raise ValidationFailed(
            "Time spent is a whole number of minutes from 1 to 1440.",
            extra={"time_spent_minutes": ["From 1 to 1440."]},
        )


def _validate_case_fields(
    *,
    title: str,
    description: str,
    priority: str,
    category: Category | None,
    category_changed: bool = True,
) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    title = " ".join((title or "").split())
    if not title:
        errors["title"] = ["A case needs a title."]
    elif len(title) > 200:
        errors["title"] = ["At most 200 characters."]
    description = (description or "").strip()
    if len(description) > 20000:
        errors["description"] = ["At most 20,000 characters."]
    if priority not in Case.Priority.values:
        errors["priority"] = [f"Choose one of: {', '.join(Case.Priority.values)}."]
    if category is not None and category_changed and not category.is_active:
        errors["category"] = [f"The category '{category.name}' is retired; choose another."]
    if errors:
        raise ValidationFailed("The case has errors; see fields.", extra=errors)
    return title, description


@transaction.atomic
def case_open(
    *,
    actor: User,
    constituent: Constituent,
    title: str,
    description: str = "",
    category: Category | None = None,
    ward: Ward | None = None,
    priority: str = Case.Priority.NORMAL,
    owner: User | None = None,
    sharing: str = Case.Sharing.PRIVATE,
    share_with_ids: list[int] | None = None,
    opened_at: datetime | None = None,
    via_surgery: bool = False,
) -> Case:
    """Open a case for `constituent`, owned by `actor` (a councillor) or by the councillor a
    staff `actor` names. Gives it the next reference of the year (PREFIX-YYYY-NNNNN), takes
    the ward from the constituent unless `ward` is given, and records the opening."""
    assert_council_writable()
    owner = new_case_owner(actor=actor, owner=owner)
    if not Constituent.objects.filter(constituent_visible_q(actor), pk=constituent.pk).exists():
        raise NotFound(f"No constituent with id {constituent.pk}.")
    title, description = _validate_case_fields(
        title=title, description=description, priority=priority, category=category
    )
    if sharing not in Case.Sharing.values:
        raise ValidationFailed(
            f"Sharing is one of: {', '.join(Case.Sharing.values)}.",
            extra={"sharing": ["Unknown sharing option."]},
        )
    now = timezone.now()
    opened_at = opened_at or now
    if opened_at > now + timedelta(minutes=5):
        raise ValidationFailed(
            "A case cannot be opened in the future.", extra={"opened_at": ["In the future."]}
        )
    year = timezone.localtime(opened_at).year
    number = _next_number(year)
    prefix = caseload_settings_get().reference_prefix
    case = Case.objects.create(
        reference=f"{prefix}-{year}-{number:05d}",
        year=year,
        number=number,
        constituent=constituent,
        title=title,
        description=description,
        category=category,
        ward=ward or constituent.ward,
        priority=priority,
        owner=owner,
        created_by=actor,
        opened_at=opened_at,
    )
    _record(
        case=case,
        actor=actor,
        kind=Action.Kind.STATUS_CHANGE,
        text="Case opened" + (" at a surgery" if via_surgery else ""),
        data={"from": None, "to": Case.Status.OPEN, "via": "surgery" if via_surgery else ""},
        occurred_at=opened_at,
        touch=False,
    )
    if sharing != Case.Sharing.PRIVATE:
        case = case_set_sharing(actor=actor, case=case, sharing=sharing, user_ids=share_with_ids)
    case_refresh_search_vector(case_ids=[case.pk])
    return case


@transaction.atomic
def case_open_with_constituent(
    *,
    actor: User,
    title: str,
    constituent: Constituent | None = None,
    constituent_fields: dict[str, Any] | None = None,
    allow_duplicate: bool = False,
    description: str = "",
    category: Category | None = None,
    ward: Ward | None = None,
    priority: str = Case.Priority.NORMAL,
    owner: User | None = None,
    sharing: str = Case.Sharing.PRIVATE,
    share_with_ids: list[int] | None = None,
    via_surgery: bool = True,
) -> tuple[Constituent, Case]:
    """Surgery mode in one step: use `constituent`, or create one from `constituent_fields`
    (the keyword arguments of constituent_create), then open the case. Nothing is saved if
    either part fails (duplicates raise PossibleDuplicate unless allow_duplicate)."""
    if (constituent is None) == (constituent_fields is None):
        raise ValidationFailed(
            "Give either an existing constituent or the details of a new one.",
            extra={"constituent": ["Choose one, or enter new details."]},
        )
    if constituent is None:
        assert constituent_fields is not None
        constituent = constituent_create(
            actor=actor, owner=owner, allow_duplicate=allow_duplicate, **constituent_fields
        )
    case = case_open(
        actor=actor,
        constituent=constituent,
        title=title,
        description=description,
        category=category,
        ward=ward,
        priority=priority,
        owner=owner,
        sharing=sharing,
        share_with_ids=share_with_ids,
        via_surgery=via_surgery,
    )
    return constituent, case


_UNSET: Any = object()


@transaction.atomic
def case_update(
    *,
    actor: User,
    case: Case,
    title: str = _UNSET,
    description: str = _UNSET,
    category: Category | None = _UNSET,
    ward: Ward | None = _UNSET,
    priority: str = _UNSET,
) -> Case:
    """Change a case's details; records one UPDATE action listing what changed."""
    assert_council_writable()
    assert_can_change_case(actor=actor, case=case)
    case = _lock(case)
    new_title = case.title if title is _UNSET else title
    new_description = case.description if description is _UNSET else description
    new_priority = case.priority if priority is _UNSET else priority
    new_category = case.category if category is _UNSET else category
    new_ward = case.ward if ward is _UNSET else ward
    new_title, new_description = _validate_case_fields(
        title=new_title,
        description=new_description,
        priority=new_priority,
        category=new_category,
        category_changed=(new_category.pk if new_category else None) != case.category_id,
    )
    changes: dict[str, list[Any]] = {}
    summary: list[str] = []
    if new_title != case.title:
        changes["title"] = [case.title, new_title]
        summary.append(f"Title: {case.title} → {new_title}")
    if new_description != case.description:
        changes["description"] = ["", ""]  # long text: record that it changed, not the text
        summary.append("Description changed")
    if new_priority != case.priority:
        changes["priority"] = [case.priority, new_priority]
        summary.append(f"Priority: {case.priority} → {new_priority}")
    new_category_id = new_category.pk if new_category else None
    if new_category_id != case.category_id:
        changes["category"] = [case.category_id, new_category_id]
        summary.append(
            f"Category: {case.category.name if case.category else '—'} → "
            f"{new_category.name if new_category else '—'}"
        )
    new_ward_id = new_ward.pk if new_ward else None
    if new_ward_id != case.ward_id:
        changes["ward"] = [case.ward_id, new_ward_id]
        summary.append(
            f"Ward: {case.ward.name if case.ward else '—'} → {new_ward.name if new_ward else '—'}"
        )
    if not changes:
        return case
    case.title, case.description, case.priority = new_title, new_description, new_priority
    case.category, case.ward = new_category, new_ward
    case.save(update_fields=["title", "description", "priority", "category", "ward", "updated_at"])
    _record(
        case=case,
        actor=actor,
        kind=Action.Kind.UPDATE,
        text="; ".join(summary),
        data={"changes": changes},
        touch=False,
    )
    if "title" in changes or "description" in changes:
        case_refresh_search_vector(case_ids=[case.pk])
    return case


def _transition(case: Case, target: str) -> None:
    if target not in STATUS_TRANSITIONS.get(case.status, set()):
        raise StateError(
            f"A case that is {case.get_status_display().lower()} cannot become "
            f"{Case.Status(target).label.lower()}."
        )


@transaction.atomic
def case_change_status(
    *,
    actor: User,
    case: Case,
    status: str,
    note: str = "",
    time_spent_minutes: int | None = None,
) -> Case:
    """Move a case to referred, awaiting reply or reply received. Use case_close and
    case_reopen for those transitions (closing needs an outcome)."""
    assert_council_writable()
    assert_can_change_case(actor=actor, case=case)
    _validate_time_spent(time_spent_minutes)
    if status not in (S.REFERRED, S.AWAITING_REPLY, S.REPLY_RECEIVED):
        raise ValidationFailed(
            "Use close or reopen for those; here choose referred, awaiting_reply or "
            "reply_received.",
            extra={"status": ["Not settable here."]},
        )
    case = _lock(case)
    _transition(case, status)
    old = case.status
    case.status = status
    case.save(update_fields=["status", "updated_at"])
    label = Case.Status(status).label
    _record(
        case=case,
        actor=actor,
        kind=Action.Kind.STATUS_CHANGE,
        text=f"Status: {Case.Status(old).label} → {label}" + (f". {note.strip()}" if note else ""),
        data={"from": old, "to": status},
        time_spent_minutes=time_spent_minutes,
        touch=False,
    )
    return case


@transaction.atomic
def case_close(
    *,
    actor: User,
    case: Case,
    outcome: str,
    note: str = "",
    time_spent_minutes: int | None = None,
) -> Case:
    """Close a case with an outcome: resolved, not resolved, not council business, withdrawn."""
    assert_council_writable()
    assert_can_change_case(actor=actor, case=case)
    _validate_time_spent(time_spent_minutes)
    if outcome not in Case.Outcome.values:
        raise ValidationFailed(
            f"Closing needs an outcome: {', '.join(Case.Outcome.values)}.",
            extra={"outcome": ["Unknown or missing outcome."]},
        )
    case = _lock(case)
    _transition(case, S.CLOSED)
    old = case.status
    case.status = S.CLOSED
    case.outcome = outcome
    case.closed_at = timezone.now()
    case.save(update_fields=["status", "outcome", "closed_at", "updated_at"])
    _record(
        case=case,
        actor=actor,
        kind=Action.Kind.STATUS_CHANGE,
        text=f"Closed: {Case.Outcome(outcome).label}" + (f". {note.strip()}" if note else ""),
        data={"from": old, "to": S.CLOSED, "outcome": outcome},
        time_spent_minutes=time_spent_minutes,
        touch=False,
    )
    return case


@transaction.atomic
def case_reopen(*, actor: User, case: Case, note: str = "") -> Case:
    """Reopen a closed case (its outcome is cleared; the history keeps it)."""
    assert_council_writable()
    assert_can_change_case(actor=actor, case=case)
    case = _lock(case)
    _transition(case, S.REOPENED)
    previous_outcome = case.outcome
    case.status = S.REOPENED
    case.outcome = ""
    case.closed_at = None
    case.save(update_fields=["status", "outcome", "closed_at", "updated_at"])
    _record(
        case=case,
        actor=actor,
        kind=Action.Kind.STATUS_CHANGE,
        text="Reopened" + (f". {note.strip()}" if note else ""),
        data={"from": S.CLOSED, "to": S.REOPENED, "previous_outcome": previous_outcome},
        touch=False,
    )
    return case


@transaction.atomic
def case_set_sharing(
    *, actor: User, case: Case, sharing: str, user_ids: list[int] | None = None
) -> Case:
    """Share a case: private, with my ward's members, or with named colleagues (councillors
    of this council, given by id). Replaces any previous named list."""
    assert_council_writable()
    assert_can_change_case(actor=actor, case=case)
    if sharing not in Case.Sharing.values:
        raise ValidationFailed(
            f"Sharing is one of: {', '.join(Case.Sharing.values)}.",
            extra={"sharing": ["Unknown sharing option."]},
        )
    case = _lock(case)
    ids = sorted(set(user_ids or []))
    names: list[str] = []
    if sharing == Case.Sharing.NAMED:
        if not ids:
            raise ValidationFailed(
                "Name at least one colleague to share with.",
                extra={"user_ids": ["At least one colleague."]},
            )
        colleagues = list(
            User.objects.filter(pk__in=ids, role=User.Role.COUNCILLOR, is_active=True).exclude(
                pk=case.owner_id
            )
        )
        if len(colleagues) != len(ids):
            raise ValidationFailed(
                "Cases can be shared only with other active councillors of this council.",
                extra={"user_ids": ["Unknown, inactive, not a councillor, or the owner."]},
            )
        names = sorted(c.name for c in colleagues)
    elif ids:
        raise ValidationFailed(
            "Colleagues are named only when sharing with named colleagues.",
            extra={"user_ids": ["Only with sharing=named."]},
        )
    if sharing == case.sharing and ids == sorted(case.shares.values_list("user_id", flat=True)):
        return case
    if sharing == Case.Sharing.WARD and not case.owner.ward:
        raise ValidationFailed(
            "The case's owner has no ward on their account, so it cannot be shared with "
            "ward colleagues.",
            extra={"sharing": ["Owner has no ward."]},
        )
    old = case.sharing
    CaseShare.objects.filter(case=case).delete()
    CaseShare.objects.bulk_create([CaseShare(case=case, user_id=uid) for uid in ids])
    case.sharing = sharing
    case.save(update_fields=["sharing", "updated_at"])
    text = f"Sharing: {Case.Sharing(old).label} → {Case.Sharing(sharing).label}"
    if names:
        text += f" ({', '.join(names)})"
    _record(
        case=case,
        actor=actor,
        kind=Action.Kind.UPDATE,
        text=text,
        data={"changes": {"sharing": [old, sharing]}, "user_ids": ids},
        touch=False,
    )
    return case


@transaction.atomic
def cases_transfer(*, actor: User, from_user: User, to_user: User) -> int:
    """Hand a councillor's open cases to another councillor (a council admin's job after an
    election or a resignation). Returns how many moved.

    The cases keep their history, sharing and referrals; each gets an entry saying who it
    moved from and to. Their open BFs follow, because a BF whose owner no longer acts for
    the case's councillor is the councillor's (reminders.selectors). The admin moves cases
    without reading them: only ids and owners are touched here.
    """
    require_admin(actor)
    assert_council_writable()
    if from_user.role != User.Role.COUNCILLOR or to_user.role != User.Role.COUNCILLOR:
        raise ValidationFailed(
            "Cases move from one councillor to another.", extra={"to": ["Not a councillor."]}
        )
    if from_user.pk == to_user.pk:
        raise ValidationFailed("Choose a different councillor.", extra={"to": ["Same person."]})
    if not to_user.is_active:
        raise ValidationFailed(
            f"{to_user.name} cannot sign in; reactivate them or choose another councillor.",
            extra={"to": ["Deactivated."]},
        )
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE caseload_case SET owner_id = %s, updated_at = %s"
            " WHERE owner_id = %s AND status <> 'closed' RETURNING id, reference",
            [to_user.pk, now, from_user.pk],
        )
        returned = cursor.fetchall()
        moved = [row[0] for row in returned]
    text = f"Case transferred from {from_user.name} to {to_user.name}"
    Action.objects.bulk_create(
        [
            Action(
                case_id=case_id,
                kind=Action.Kind.UPDATE,
                text=text,
                author=actor,
                on_behalf_of_id=None,
                occurred_at=now,
                data={"changes": {"owner": [from_user.pk, to_user.pk]}, "via": "transfer"},
            )
            for case_id in moved
        ],
        batch_size=2000,
    )
    audit_record(
        action=AuditAction.CASES_TRANSFERRED,
        actor=actor,
        subject=from_user,
        summary=f"{actor.name} moved {len(moved)} open cases from {from_user.name} "
        f"to {to_user.name}",
        case_ids=moved,
        case_references=[row[1] for row in returned],
        detail={
            "from": from_user.pk,
            "to": to_user.pk,
            "to_name": to_user.name,
            "moved": len(moved),
        },
    )
    return len(moved)


@transaction.atomic
def action_record_reminder(
    *, actor: User, case: Case, text: str, data: dict[str, Any] | None = None
) -> Action:
    """Write a reminder (BF) change into the case's history: for the reminders app, whose
    services have already checked that `actor` may change the case.

    The case's `updated_at` is left alone: a reminder moved or ticked off is not casework,
    and "recently updated" lists should not reorder for it.
    """
    return _record(
        case=case, actor=actor, kind=Action.Kind.REMINDER, text=text, data=data, touch=False
    )


@transaction.atomic
def action_add(
    *,
    actor: User,
    case: Case,
    kind: str,
    text: str,
    occurred_at: datetime | None = None,
    time_spent_minutes: int | None = None,
    data: dict[str, Any] | None = None,
) -> Action:
    """Add a history entry by hand: note, call, email in/out, letter, meeting or surgery.

    Referrals, officer replies, status changes and edits are recorded by their own services.
    `data` is machine-readable detail kept with the entry (correspondence records the
    template, outbox row and Message-ID of an email it sent, or the file of a letter).
    """
    assert_council_writable()
    assert_can_change_case(actor=actor, case=case)
    if kind not in Action.MANUAL_KINDS:
        raise ValidationFailed(
            f"Add one of: {', '.join(Action.MANUAL_KINDS)}. Referrals, replies and status "
            "changes have their own endpoints.",
            extra={"kind": ["Not a kind that is added by hand."]},
        )
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("Say what happened.", extra={"text": ["Required."]})
    if len(text) > 20000:
        raise ValidationFailed("At most 20,000 characters.", extra={"text": ["Too long."]})
    _validate_time_spent(time_spent_minutes)
    now = timezone.now()
    if occurred_at and occurred_at > now + timedelta(minutes=5):
        raise ValidationFailed(
            "An action cannot happen in the future.", extra={"occurred_at": ["In the future."]}
        )
    case = _lock(case)
    return _record(
        case=case,
        actor=actor,
        kind=kind,
        text=text,
        occurred_at=occurred_at or now,
        time_spent_minutes=time_spent_minutes,
        data=data,
    )

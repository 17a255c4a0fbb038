"""Writes for BF reminders: rules, the rule engine, the councillor's own BF actions, and the
morning digest.

Every write a person makes starts with the licence check (caseload's guard) and the right to
change the case (owner or their delegated staff, caseload's rule).
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone
from markupsafe import escape

from accounts.models import User
from caseload.calendar import WorkingCalendar
from caseload.models import Case, Delegation, Referral
from caseload.services import action_record_reminder
from caseload.services.permissions import (
    assert_can_change_case,
    assert_council_writable,
    require_admin,
)
from core.errors import ApplicationError, Conflict, StateError, ValidationFailed
from core.links import current_council_url
from core.tenancy import current_schema
from mailer.services import OutboxMessage, outbox_enqueue_many
from reminders.models import BF, BFRule
from reminders.selectors import (
    DIGEST_COLUMNS,
    DIGEST_DUE_CTE,
    DIGEST_ORDER,
    DIGEST_RECIPIENT_JOIN,
    DigestItem,
    DigestRecipient,
    bf_rules_active,
    digest_group,
)

logger = logging.getLogger(__name__)

DEFAULT_RULES = (
    (BFRule.Trigger.REFERRAL, 0, "Officer's reply is due today: chase it if nothing has arrived"),
    (BFRule.Trigger.REPLY_RECEIVED, 5, "Check with the constituent that the matter is resolved"),
    (BFRule.Trigger.NO_ACTION, 5, "No action yet on this new case"),
)
MAX_SNOOZE_WORKING_DAYS = 60


# ---------------------------------------------------------------------------------------
# Rules (council admins)
# ---------------------------------------------------------------------------------------


def _rules_all() -> list[BFRule]:
    """Every rule, seeding the defaults first if there are none (one query when seeded)."""
    rules = list(BFRule.objects.order_by("working_days", "id"))
    if not rules:
        bf_rules_ensure_defaults()
        rules = list(BFRule.objects.order_by("working_days", "id"))
    return rules


def bf_rules_ensure_defaults() -> None:
    """Seed the default rules the first time a council uses reminders (idempotent).

    Admins switch rules off rather than deleting them, so "no rows" means "never seeded".
    """
    if BFRule.objects.exists():
        return
    BFRule.objects.bulk_create(
        [BFRule(trigger=t, working_days=d, reason=r) for t, d, r in DEFAULT_RULES],
        ignore_conflicts=True,
    )


def _validate_rule(trigger: str, working_days: int, reason: str) -> str:
    if trigger not in BFRule.Trigger.values:
        raise ValidationFailed(
            f"Unknown trigger {trigger!r}.",
            extra={"trigger": [f"One of {', '.join(BFRule.Trigger.values)}."]},
        )
    low = 1 if trigger == BFRule.Trigger.NO_ACTION else 0
    if not low <= working_days <= 60:
        raise ValidationFailed(
            f"A rule's working days are between {low} and 60.",
            extra={"working_days": [f"From {low} to 60."]},
        )
    reason = (reason or "").strip()
    if not reason or len(reason) > 300:
        raise ValidationFailed(
            "Say why the case is brought forward (up to 300 characters).",
            extra={"reason": ["Required, at most 300 characters."]},
        )
    return reason


@transaction.atomic
def bf_rule_create(*, actor: User, trigger: str, working_days: int, reason: str) -> BFRule:
    assert_council_writable()
    require_admin(actor)
    bf_rules_ensure_defaults()
    reason = _validate_rule(trigger, working_days, reason)
    if BFRule.objects.filter(trigger=trigger, working_days=working_days).exists():
        raise Conflict("A rule with this trigger and number of working days already exists.")
    return BFRule.objects.create(trigger=trigger, working_days=working_days, reason=reason)


@transaction.atomic
def bf_rule_update(
    *,
    actor: User,
    rule: BFRule,
    working_days: int | None = None,
    reason: str | None = None,
    is_active: bool | None = None,
) -> BFRule:
    """Change a rule; it applies to events from now on (existing BFs are left as they are)."""
    assert_council_writable()
    require_admin(actor)
    rule = BFRule.objects.select_for_update().get(pk=rule.pk)
    new_days = rule.working_days if working_days is None else working_days
    new_reason = _validate_rule(rule.trigger, new_days, rule.reason if reason is None else reason)
    if (
        new_days != rule.working_days
        and BFRule.objects.filter(trigger=rule.trigger, working_days=new_days)
        .exclude(pk=rule.pk)
        .exists()
    ):
        raise Conflict("A rule with this trigger and number of working days already exists.")
    rule.working_days, rule.reason = new_days, new_reason
    if is_active is not None:
        rule.is_active = is_active
    rule.save(update_fields=["working_days", "reason", "is_active", "updated_at"])
    return rule


# ---------------------------------------------------------------------------------------
# The rule engine
# ---------------------------------------------------------------------------------------


class BFEvent:
    REFERRAL = "referral"
    REPLY_RECEIVED = "reply_received"
    # The officer asked for more time: the chasers follow the new target date.
    REFERRAL_EXTENDED = "referral_extended"


def _create_rule_bfs(
    *, case: Case, rule_dates: list[tuple[BFRule, date]], key: str, referral: Referral | None
) -> list[BF]:
    rows = [
        BF(
            case=case,
            due_date=due,
            reason=rule.reason,
            owner_id=case.owner_id,
            source=BF.Source.RULE,
            rule=rule,
            referral=referral,
            source_key=f"{key}:rule:{rule.pk}",
        )
        for rule, due in rule_dates
    ]
    # The unique source_key makes a replayed event (a retried task, a double submit) a no-op.
    BF.objects.bulk_create(rows, ignore_conflicts=True)
    return list(BF.objects.filter(source_key__in=[r.source_key for r in rows]))


def bf_rules_apply(*, case: Case, event: str, referral: Referral) -> list[BF]:
    """Create the BFs the council's active rules ask for on `event`. Called by caseload's
    referral services inside their transaction (so a failed referral leaves no BF):

    - REFERRAL: for each active REFERRAL rule, a BF `working_days` after the referral's
      target date (itself in working days), owned by the case's councillor.
    - REPLY_RECEIVED: for each active REPLY_RECEIVED rule, a BF `working_days` working days
      after the reply arrived; open REFERRAL BFs of that referral are completed, since the
      reply they chase has come.
    - REFERRAL_EXTENDED: the referral's open REFERRAL BFs move with its new target date.
    """
    bf_rules_ensure_defaults()
    if event == BFEvent.REFERRAL:
        rules = bf_rules_active(trigger=BFRule.Trigger.REFERRAL)
        start = referral.target_date
        key = f"referral:{referral.pk}"
    elif event == BFEvent.REFERRAL_EXTENDED:
        _move_chasers(referral=referral)
        return []
    elif event == BFEvent.REPLY_RECEIVED:
        _complete_chasers(referral=referral)
        rules = bf_rules_active(trigger=BFRule.Trigger.REPLY_RECEIVED)
        start = timezone.localdate(referral.replied_at or timezone.now())
        key = f"reply:{referral.pk}"
    else:
        raise ValueError(f"unknown BF event {event!r}")
    if not rules:
        return []
    calendar = WorkingCalendar.around(start, max(rule.working_days for rule in rules))
    rule_dates = [(rule, calendar.add_working_days(start, rule.working_days)) for rule in rules]
    return _create_rule_bfs(case=case, rule_dates=rule_dates, key=key, referral=referral)


def _move_chasers(*, referral: Referral) -> None:
    chasers = list(
        BF.objects.filter(
            referral=referral, rule__trigger=BFRule.Trigger.REFERRAL, done=False
        ).select_related("rule")
    )
    if not chasers:
        return
    offsets = {bf.pk: bf.rule.working_days if bf.rule else 0 for bf in chasers}
    calendar = WorkingCalendar.around(referral.target_date, max(offsets.values()))
    now = timezone.now()
    for bf in chasers:
        bf.due_date = calendar.add_working_days(referral.target_date, offsets[bf.pk])
        bf.updated_at = now
    BF.objects.bulk_update(chasers, ["due_date", "updated_at"])


def _complete_chasers(*, referral: Referral) -> None:
    BF.objects.filter(referral=referral, rule__trigger=BFRule.Trigger.REFERRAL, done=False).update(
        done=True,
        done_at=timezone.now(),
        done_note="The officer's reply was recorded.",
        updated_at=timezone.now(),
    )


# Cases still open with no action since being opened. "Action" means anything but the
# system's own status changes and edits (opening a case records a status change) and the
# history entries of reminders themselves.
_NO_ACTION_SQL = """
INSERT INTO reminders_bf (created_at, updated_at, case_id, due_date, reason, owner_id,
                          source, rule_id, source_key, snooze_count, done, done_note)
SELECT now(), now(), c.id, %(today)s, %(reason)s, c.owner_id, 'rule', %(rule_id)s,
       'no_action:' || c.id || ':rule:' || %(rule_id)s, 0, false, ''
FROM caseload_case c
WHERE c.status = 'open'
  AND c.opened_at >= %(since)s AND c.opened_at < %(until)s
  AND NOT EXISTS (
      SELECT 1 FROM caseload_action a
      WHERE a.case_id = c.id AND a.kind NOT IN ('status_change', 'update', 'reminder'))
ON CONFLICT (source_key) DO NOTHING
"""
# How far back the NO_ACTION rule looks: a missed sweep (outage, holiday weekend) still
# catches up, but switching a rule on does not flood councillors with years-old cases.
NO_ACTION_LOOKBACK_DAYS = 30


def bf_rules_sweep_no_action(*, today: date, calendar: WorkingCalendar | None = None) -> int:
    """Create today's BFs for the NO_ACTION rules (one INSERT per active rule). Idempotent:
    a case gets at most one BF per rule. Returns how many were created."""
    rules = [r for r in _rules_all() if r.trigger == BFRule.Trigger.NO_ACTION and r.is_active]
    if not rules:
        return 0
    calendar = calendar or WorkingCalendar.for_years({today.year - 1, today.year})
    created = 0
    tz = timezone.get_current_timezone()
    for rule in rules:
        # A case opened on day D is N working days old on add_working_days(D, N). Walk back
        # to the latest opening day that is already old enough.
        cutoff = today
        while calendar.add_working_days(cutoff, rule.working_days) > today:
            cutoff -= timedelta(days=1)
        until = timezone.make_aware(
            datetime.combine(cutoff + timedelta(days=1), datetime.min.time()), tz
        )
        since = until - timedelta(days=NO_ACTION_LOOKBACK_DAYS)
        with connection.cursor() as cursor:
            cursor.execute(
                _NO_ACTION_SQL,
                {
                    "today": today,
                    "reason": rule.reason,
                    "rule_id": rule.pk,
                    "since": since,
                    "until": until,
                },
            )
            created += cursor.rowcount
    return created


# ---------------------------------------------------------------------------------------
# A person's own BFs: add, snooze, reassign, complete
# ---------------------------------------------------------------------------------------


def _next_working_day_on_or_after(day: date) -> date:
    calendar = WorkingCalendar.around(day, 30)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def _assignable_ids(case: Case) -> set[int]:
    """Who may own a BF on `case`: its councillor and active staff they delegated to."""
    staff = (
        Delegation.objects.confirmed()
        .filter(councillor_id=case.owner_id, staff__is_active=True)
        .values_list("staff_id", flat=True)
    )
    return {case.owner_id, *staff}


def _check_owner(case: Case, owner: User) -> None:
    if owner.pk not in _assignable_ids(case) or not owner.is_active:
        raise ValidationFailed(
            "A reminder can be given only to the case's councillor or staff acting for them.",
            extra={"owner": ["Not the councillor or one of their delegated staff."]},
        )


def _validate_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason or len(reason) > 300:
        raise ValidationFailed(
            "Say why the case is brought forward (up to 300 characters).",
            extra={"reason": ["Required, at most 300 characters."]},
        )
    return reason


def _lock_bf(bf: BF) -> BF:
    return BF.objects.select_for_update(of=("self",)).select_related("case").get(pk=bf.pk)


@transaction.atomic
def bf_add(
    *,
    actor: User,
    case: Case,
    due_date: date,
    reason: str,
    owner: User | None = None,
) -> BF:
    """Bring `case` forward on `due_date` (moved to the next working day if it is not one)
    for `owner` (default: the person adding it)."""
    assert_council_writable()
    assert_can_change_case(actor=actor, case=case)
    if case.status == Case.Status.CLOSED:
        raise StateError("A closed case cannot be brought forward; reopen it first.")
    reason = _validate_reason(reason)
    today = timezone.localdate()
    if due_date < today:
        raise ValidationFailed(
            "A reminder cannot be due in the past.", extra={"due_date": ["Today or later."]}
        )
    if due_date > today + timedelta(days=366 * 2):
        raise ValidationFailed(
            "A reminder is at most two years ahead.", extra={"due_date": ["Too far ahead."]}
        )
    owner = owner or actor
    _check_owner(case, owner)
    bf = BF.objects.create(
        case=case,
        due_date=_next_working_day_on_or_after(due_date),
        reason=reason,
        owner=owner,
        created_by=actor,
        source=BF.Source.MANUAL,
    )
    for_whom = "" if owner.pk == actor.pk else f" for {owner.name or owner.email}"
    _history(actor, bf, "added", f"Reminder set{for_whom} for {_long_date(bf.due_date)}")
    return bf


def _history(actor: User, bf: BF, event: str, text: str) -> None:
    """Every change a person makes to a BF goes into its case's history."""
    action_record_reminder(
        actor=actor,
        case=bf.case,
        text=f"{text}: {bf.reason}",
        data={"bf": bf.pk, "event": event, "due_date": bf.due_date.isoformat()},
    )


@transaction.atomic
def bf_snooze(
    *,
    actor: User,
    bf: BF,
    until: date | None = None,
    working_days: int | None = None,
) -> BF:
    """Move an open BF later: to `until` (next working day if it is not one), or
    `working_days` working days after today (default 1: tomorrow's working day)."""
    assert_council_writable()
    assert_can_change_case(actor=actor, case=bf.case)
    if until is not None and working_days is not None:
        raise ValidationFailed("Give a date or a number of working days, not both.")
    bf = _lock_bf(bf)
    if bf.done:
        raise StateError("This reminder is already done.")
    today = timezone.localdate()
    if until is None:
        days = 1 if working_days is None else working_days
        if not 1 <= days <= MAX_SNOOZE_WORKING_DAYS:
            raise ValidationFailed(
                f"Snooze for 1 to {MAX_SNOOZE_WORKING_DAYS} working days.",
                extra={"working_days": [f"From 1 to {MAX_SNOOZE_WORKING_DAYS}."]},
            )
        new_due = WorkingCalendar.around(today, days).add_working_days(today, days)
    else:
        if until <= today:
            raise ValidationFailed(
                "Snooze to a day after today.", extra={"until": ["After today."]}
            )
        if until > today + timedelta(days=366 * 2):
            raise ValidationFailed("Snooze at most two years.", extra={"until": ["Too far."]})
        new_due = _next_working_day_on_or_after(until)
    bf.due_date = new_due
    bf.snooze_count += 1
    bf.save(update_fields=["due_date", "snooze_count", "updated_at"])
    _history(actor, bf, "snoozed", f"Reminder moved to {_long_date(new_due)}")
    return bf


@transaction.atomic
def bf_reassign(*, actor: User, bf: BF, owner: User) -> BF:
    """Give an open BF to the case's councillor or one of their delegated staff."""
    assert_council_writable()
    assert_can_change_case(actor=actor, case=bf.case)
    bf = _lock_bf(bf)
    if bf.done:
        raise StateError("This reminder is already done.")
    _check_owner(bf.case, owner)
    bf.owner = owner
    bf.save(update_fields=["owner", "updated_at"])
    _history(actor, bf, "reassigned", f"Reminder given to {owner.name or owner.email}")
    return bf


@transaction.atomic
def bf_complete(*, actor: User, bf: BF, note: str = "") -> BF:
    assert_council_writable()
    assert_can_change_case(actor=actor, case=bf.case)
    bf = _lock_bf(bf)
    if bf.done:
        raise StateError("This reminder is already done.")
    note = (note or "").strip()
    if len(note) > 300:
        raise ValidationFailed("Keep the note under 300 characters.", extra={"note": ["Too long."]})
    bf.done, bf.done_at, bf.done_by, bf.done_note = True, timezone.now(), actor, note
    bf.save(update_fields=["done", "done_at", "done_by", "done_note", "updated_at"])
    _history(actor, bf, "completed", "Reminder done" + (f" ({note})" if note else ""))
    return bf


# ---------------------------------------------------------------------------------------
# The morning digest
# ---------------------------------------------------------------------------------------


@dataclass
class DigestRun:
    day: date
    skipped: str = ""  # why nothing was sent ("", "not_working_day", "read_only")
    no_action_bfs_created: int = 0
    digests: int = 0
    bfs_delivered: int = 0


def digest_dedupe_key(*, user_id: int, day: date) -> str:
    return f"digest:{user_id}:{day.isoformat()}"


# One statement per council: gather everything due, leave out people whose digest for the
# day is already in the outbox, claim the BFs for today (BFDelivery's unique (bf, day); a BF
# claimed earlier today, e.g. before a reassignment, is not claimed again), and return what
# goes in each digest: the claimed BFs and the referrals past target.
_GATHER_AND_CLAIM_SQL = f"""
WITH {DIGEST_DUE_CTE},
items AS (
    SELECT {DIGEST_COLUMNS}
    {DIGEST_RECIPIENT_JOIN}
      AND NOT EXISTS (
          SELECT 1 FROM mailer_outboundemail m
          WHERE m.dedupe_key = 'digest:' || u.id || ':' || %(day_iso)s)
),
claimed AS (
    INSERT INTO reminders_bfdelivery (created_at, bf_id, day, recipient_id)
    SELECT now(), item_id, %(today)s, user_id FROM items WHERE kind = 'bf'
    ON CONFLICT (bf_id, day) DO NOTHING
    RETURNING bf_id
)
SELECT * FROM items
WHERE kind = 'referral' OR item_id IN (SELECT bf_id FROM claimed)
{DIGEST_ORDER}
"""


def _gather_and_claim(*, day: date) -> list[DigestRecipient]:
    with connection.cursor() as cursor:
        cursor.execute(_GATHER_AND_CLAIM_SQL, {"today": day, "day_iso": day.isoformat()})
        return digest_group(cursor.fetchall())


@functools.lru_cache(maxsize=512)
def _long_date(day: date) -> str:
    # A digest repeats a handful of due dates hundreds of times; strftime each time showed.
    return f"{day:%d %b %Y}"


def _digest_message(
    *, person: DigestRecipient, items: list[DigestItem], day: date, site: str
) -> OutboxMessage:
    """`site` is the council's root URL, with its trailing slash."""
    due_today = [i for i in items if i.kind == "bf" and i.due == day]
    overdue = [i for i in items if i.kind == "bf" and i.due < day]
    referrals = [i for i in items if i.kind == "referral"]
    counts = []
    if due_today:
        counts.append(f"{len(due_today)} due today")
    if overdue:
        counts.append(f"{len(overdue)} overdue")
    if referrals:
        counts.append(f"{len(referrals)} referral{'s' if len(referrals) > 1 else ''} past target")
    subject = f"Your caseload reminders for {day:%A} {day.day} {day:%B}: {', '.join(counts)}"
    # Plain string building, not a template: the sweep renders thousands of these a minute
    # (and markupsafe's escape, in C, rather than html.escape).
    # Case titles only, never a constituent's details.
    text = [f"Good morning {person.name or person.email},", ""]
    html = [f"<p>Good morning {escape(person.name or person.email)},</p>"]
    for heading, section in (
        ("Due today", due_today),
        ("Overdue", overdue),
        ("Referrals past their target date", referrals),
    ):
        if not section:
            continue
        text += [f"{heading} ({len(section)})", "-" * (len(heading) + 6)]
        html.append(f"<h2>{escape(heading)} ({len(section)})</h2><ul>")
        for item in section:
            url = f"{site}cases/{item.case_id}/"
            if item.kind == "referral":
                detail = f"reply from {item.what} was due {_long_date(item.due)}"
            elif item.due < day:
                detail = f"{item.what} (due {_long_date(item.due)})"
            else:
                detail = item.what
            text.append(f"* {item.case_reference} {item.case_title}: {detail}\n  {url}")
            html.append(
                f'<li><a href="{escape(url)}">{escape(item.case_reference)}</a> '
                f"{escape(item.case_title)}: {escape(detail)}</li>"
            )
        text.append("")
        html.append("</ul>")
    text += [f"Your dashboard: {site}", ""]
    html.append(f'<p><a href="{escape(site)}">Open your dashboard</a></p>')
    return OutboxMessage(
        to=[person.email],
        subject=subject,
        body_text="\n".join(text),
        body_html="".join(html),
        dedupe_key=digest_dedupe_key(user_id=person.user_id, day=day),
        kind="bf_digest",
    )


def _council_is_read_only() -> bool:
    try:
        assert_council_writable()
    except ApplicationError:
        return True
    return False


@transaction.atomic
def reminders_council_digest(*, day: date | None = None) -> DigestRun:
    """The morning run for the current council: apply the NO_ACTION rules, then build and
    enqueue one digest per person with anything due (BFs due today, overdue BFs, referrals
    past target), each BF at most once per day.

    Safe to run any number of times a day, concurrently too: an advisory lock serialises
    runs per council, people whose digest already exists are skipped, BFs are claimed
    through BFDelivery's unique (bf, day), and the digest's dedupe key is unique in the
    outbox. Non-working days (weekends, the council's holidays) send nothing, and a
    read-only (lapsed) council gets no digests.
    """
    day = day or timezone.localdate()
    run = DigestRun(day=day)
    if _council_is_read_only():
        run.skipped = "read_only"
        return run
    # Last year too: the NO_ACTION rule counts back across the new year.
    calendar = WorkingCalendar.for_years({day.year - 1, day.year})
    if not calendar.is_working_day(day):
        run.skipped = "not_working_day"
        return run
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"bf-digest:{current_schema()}:{day}"]
        )
    run.no_action_bfs_created = bf_rules_sweep_no_action(today=day, calendar=calendar)
    site = current_council_url("/")
    messages = []
    for person in _gather_and_claim(day=day):
        messages.append(_digest_message(person=person, items=person.items, day=day, site=site))
        run.bfs_delivered += sum(1 for item in person.items if item.kind == "bf")
    outbox_enqueue_many(messages=messages)
    run.digests = len(messages)
    logger.info(
        "BF digest %s in %s: %d digests, %d BFs",
        day,
        current_schema(),
        run.digests,
        run.bfs_delivered,
    )
    return run


__all__ = [
    "DEFAULT_RULES",
    "BFEvent",
    "DigestRun",
    "bf_add",
    "bf_complete",
    "bf_reassign",
    "bf_rule_create",
    "bf_rule_update",
    "bf_rules_apply",
    "bf_rules_ensure_defaults",
    "bf_rules_sweep_no_action",
    "bf_snooze",
    "reminders_council_digest",
]

"""Demo BFs for `seed_demo`, so that every demo dashboard has something true to show.

`seed(council=, rng=)` runs after caseload's demo seeder (localdev.demo_seeder.DEMO_SEEDERS)
and builds on its casework:

1. Each councillor gets, if they lack one, a referral awaiting a reply within its target,
   one past its target, one answered on time and one answered late (on their own cases,
   with the history entries and case status a real referral would leave). Caseload's
   generator makes these at random; the dashboard's "Referrals awaiting a reply" and the
   on-time figures should not depend on the luck of the draw.
2. The council's default BF rules, and the BFs those rules would have made over the year:
   a chaser on each referral's target date (done when the reply came, or when the case
   was closed), and a check with the constituent 5 working days after each reply (done
   on or near its date once past; open when still ahead).
3. Each councillor, and each Members' Services member for one of the councillors they
   support, gets BFs set by hand, if they lack them: one overdue, one due today (on a
   working day: on a weekend or holiday nothing is due) and two in the next 10 working
   days, each with the history entry a BF set by hand leaves.

Idempotent: each step tops up only what is missing, so a second run the same day adds
nothing; a run on a later day adds a BF due that day again (yesterday's is now overdue,
as it would be).
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from caseload.calendar import WorkingCalendar
from caseload.models import Action, Case, Delegation, Officer, Referral
from caseload.services.search import case_refresh_search_vector
from reminders.models import BF, BFRule
from reminders.services import bf_rules_ensure_defaults
from tenants.models import Council

REPLY_CHECK_DAYS = 5
# When each demo referral was sent, in working days before today: with a 10-day target,
# still within it, past it, answered on time, answered late.
SENT_WORKING_DAYS_AGO = {"awaiting": 3, "overdue": 14, "on_time": 20, "late": 25}
UPCOMING = (1, 4)  # working days ahead of today for the two upcoming BFs
OVERDUE_BY = 2  # working days
REASONS = (
    "Phone the constituent with an update",
    "Chase the officer if nothing has arrived",
    "Check the work has been done",
    "Ask the service for a date for the repair",
    "Write to the constituent with the outcome",
    "Check whether the constituent wants to take it further",
)
REPLIES = (
    "Officer confirms the work has been ordered.",
    "Officer says this is scheduled for next month.",
    "Officer will visit and report back.",
)


def seed(*, council: Council, rng: random.Random) -> None:
    """Top up `council`'s demo referrals and BFs (see the module docstring)."""
    with schema_context(council.schema_name), transaction.atomic():
        if not Case.objects.exists():
            return
        today = timezone.localdate()
        calendar = WorkingCalendar.for_years([today.year - 1, today.year, today.year + 1])
        _Seeder(rng=rng, today=today, calendar=calendar).run()


class _Seeder:
    def __init__(self, *, rng: random.Random, today: date, calendar: WorkingCalendar) -> None:
        self.rng = rng
        self.today = today
        self.now = timezone.now()
        self.calendar = calendar
        self.actions: list[Action] = []
        self.touched: set[int] = set()

    def run(self) -> None:
        councillors = list(
            User.objects.filter(role=User.Role.COUNCILLOR, is_active=True).order_by("id")
        )
        officers = list(Officer.objects.filter(is_active=True).prefetch_related("topics"))
        for councillor in councillors:
            if officers:
                self._referrals(councillor, officers)
        bf_rules_ensure_defaults()
        self._rule_bfs()
        for councillor in councillors:
            self._manual_bfs(owner=councillor, councillors=[councillor.pk])
        helpers: dict[int, list[int]] = defaultdict(list)
        for d in Delegation.objects.filter(staff__is_active=True).order_by("id"):
            helpers[d.staff_id].append(d.councillor_id)
        for staff in User.objects.filter(pk__in=helpers).order_by("id"):
            self._manual_bfs(owner=staff, councillors=helpers[staff.pk][:1])
        Action.objects.bulk_create(self.actions, batch_size=500)
        if self.touched:
            case_refresh_search_vector(case_ids=sorted(self.touched))

    # --- 1. referrals in each state ---------------------------------------------------------
    def _referrals(self, councillor: User, officers: list[Officer]) -> None:
        mine = Referral.objects.filter(case__owner=councillor).exclude(
            case__status=Case.Status.CLOSED
        )
        awaiting = mine.filter(replied_at__isnull=True)
        wanted = {
            "awaiting": not awaiting.filter(target_date__gte=self.today).exists(),
            "overdue": not awaiting.filter(target_date__lt=self.today).exists(),
            "on_time": not Referral.objects.filter(
                case__owner=councillor, target_met=True
            ).exists(),
            "late": not Referral.objects.filter(case__owner=councillor, target_met=False).exists(),
        }
        # Open cases nobody referred yet, oldest first: a referral fits their story; then,
        # for a councillor with few such cases, open cases already referred (a second
        # referral, to another service, is common), whatever their status.
        live = (
            Case.objects.filter(owner=councillor)
            .exclude(status=Case.Status.CLOSED)
            .select_related("category")
            .order_by("opened_at", "id")
        )
        spare = list(live.filter(status=Case.Status.OPEN, referrals__isnull=True)) + list(
            live.filter(referrals__isnull=False).distinct()
        )
        # The states that need the oldest cases first (a referral sent 25 working days ago
        # needs a case opened before then), each taking the oldest case still spare.
        for state in sorted(wanted, key=lambda s: -SENT_WORKING_DAYS_AGO[s]):
            if wanted[state] and spare:
                self._refer(spare.pop(0), councillor, officers, state)

    def _refer(self, case: Case, owner: User, officers: list[Officer], state: str) -> None:
        fitting = [o for o in officers if case.category in o.topics.all()] or officers
        officer = self.rng.choice(fitting)
        days = 10
        # Sent so that the target falls where the state needs it.
        back = SENT_WORKING_DAYS_AGO[state]
        sent_day = self._working_days_before(self.today, back)
        sent_at = max(self._at(sent_day, 10), case.opened_at + timedelta(hours=1))
        sent_day = timezone.localdate(sent_at)
        target = self.calendar.add_working_days(sent_day, days)
        referral = Referral(
            case=case,
            officer=officer,
            created_by=owner,
            sent_at=sent_at,
            working_days=days,
            target_date=target,
            original_target_date=target,
        )
        status = "referred"
        if state in ("on_time", "late"):
            reply_day = (
                self._working_days_before(target, 2)
                if state == "on_time"
                else self.calendar.add_working_days(target, 3)
            )
            reply_day = min(max(reply_day, sent_day + timedelta(days=1)), self.today)
            referral.replied_at = min(self._at(reply_day, 14), self.now)
            referral.target_met = timezone.localdate(referral.replied_at) <= target
            status = "reply_received"
        referral.save()
        Referral.objects.filter(pk=referral.pk).update(
            created_at=sent_at, updated_at=referral.replied_at or sent_at
        )
        self.actions.append(
            Action(
                case=case,
                kind=Action.Kind.REFERRAL,
                text=f"Referred to {officer.name} ({officer.service}); reply due by "
                f"{target:%d %b %Y} ({days} working days)",
                author=owner,
                occurred_at=sent_at,
                data={
                    "referral_id": referral.pk,
                    "officer_id": officer.pk,
                    "from": case.status,
                    "to": "referred",
                },
            )
        )
        if referral.replied_at is not None:
            self.actions.append(
                Action(
                    case=case,
                    kind=Action.Kind.OFFICER_REPLY,
                    text=f"Reply from {officer.name} "
                    + ("within target" if referral.target_met else "after the target")
                    + f". {self.rng.choice(REPLIES)}",
                    author=owner,
                    occurred_at=referral.replied_at,
                    data={"officer_id": officer.pk, "from": "referred", "to": status},
                )
            )
        Case.objects.filter(pk=case.pk).update(
            status=status, updated_at=referral.replied_at or sent_at
        )
        self.touched.add(case.pk)

    # --- 2. what the council's rules would have made ---------------------------------------
    def _rule_bfs(self) -> None:
        chase = BFRule.objects.filter(trigger=BFRule.Trigger.REFERRAL, is_active=True).first()
        check = BFRule.objects.filter(trigger=BFRule.Trigger.REPLY_RECEIVED, is_active=True).first()
        rows: list[BF] = []
        referrals = Referral.objects.select_related("case").order_by("id")
        for r in referrals:
            case = r.case
            closed_at = case.closed_at if case.status == Case.Status.CLOSED else None
            if chase is not None:
                due = self.calendar.add_working_days(r.target_date, chase.working_days)
                done_at = r.replied_at or closed_at
                rows.append(
                    self._rule_bf(
                        r,
                        chase,
                        f"referral:{r.pk}",
                        due,
                        done_at,
                        "The officer's reply was recorded." if r.replied_at else "Case closed.",
                        by=None if r.replied_at else case.owner_id,
                    )
                )
            if check is not None and r.replied_at is not None:
                start = timezone.localdate(r.replied_at)
                due = self.calendar.add_working_days(start, check.working_days)
                done_at = closed_at
                if due < self.today:
                    # Ticked off on the day, or a day or two late.
                    late = self.rng.choice([0, 0, 0, 1, 2])
                    done_at = min(self._at(due + timedelta(days=late), 11), self.now)
                    if closed_at is not None:
                        done_at = min(done_at, closed_at)
                rows.append(
                    self._rule_bf(r, check, f"reply:{r.pk}", due, done_at, "", by=case.owner_id)
                )
        BF.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
        # auto_now stamped them "now": a chaser was made when the referral was sent, a check
        # when the reply came, and each was last changed when it was done.
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE reminders_bf b
                   SET created_at = made.at, updated_at = coalesce(b.done_at, made.at)
                  FROM (SELECT bf.id,
                               CASE WHEN bf.source_key LIKE 'reply:%%' THEN r.replied_at
                                    ELSE r.sent_at END AS at
                          FROM reminders_bf bf JOIN caseload_referral r ON r.id = bf.referral_id
                         WHERE bf.source = 'rule') AS made
                 WHERE b.id = made.id AND made.at IS NOT NULL
                """
            )

    def _rule_bf(
        self,
        referral: Referral,
        rule: BFRule,
        key: str,
        due: date,
        done_at: datetime | None,
        note: str,
        by: int | None,
    ) -> BF:
        return BF(
            case_id=referral.case_id,
            due_date=due,
            reason=rule.reason,
            owner_id=referral.case.owner_id,
            source=BF.Source.RULE,
            rule=rule,
            referral=referral,
            source_key=f"{key}:rule:{rule.pk}",
            done=done_at is not None,
            done_at=done_at,
            done_by_id=by if done_at is not None else None,
            done_note=note if done_at is not None else "",
        )

    # --- 3. BFs set by hand -----------------------------------------------------------------
    def _manual_bfs(self, *, owner: User, councillors: list[int]) -> None:
        cases = list(
            Case.objects.filter(owner_id__in=councillors)
            .exclude(status=Case.Status.CLOSED)
            .order_by("-updated_at", "id")[:12]
        )
        if not cases:
            return
        mine = BF.objects.filter(owner=owner, done=False, case__in=cases)
        wanted: list[date] = []
        if not mine.filter(due_date__lt=self.today).exists():
            wanted.append(self._working_days_before(self.today, OVERDUE_BY))
        if (
            self.calendar.is_working_day(self.today)
            and not mine.filter(due_date=self.today).exists()
        ):
            wanted.append(self.today)
        horizon = self.calendar.add_working_days(self.today, 10)
        ahead = mine.filter(due_date__gt=self.today, due_date__lte=horizon).count()
        for days in UPCOMING[ahead:]:
            wanted.append(self.calendar.add_working_days(self.today, days))
        for index, due in enumerate(wanted):
            # Set a week or so before it comes up, on a case already open then.
            set_at = min(self._at(due - timedelta(days=self.rng.randint(5, 12)), 9), self.now)
            opened_by_then = [c for c in cases if c.opened_at < set_at]
            if not opened_by_then:
                continue
            case = opened_by_then[index % len(opened_by_then)]
            reason = self.rng.choice(REASONS)
            bf = BF.objects.create(
                case=case,
                due_date=due,
                reason=reason,
                owner=owner,
                created_by=owner,
                source=BF.Source.MANUAL,
            )
            BF.objects.filter(pk=bf.pk).update(created_at=set_at, updated_at=set_at)
            on_behalf = case.owner if owner.pk != case.owner_id else None
            self.actions.append(
                Action(
                    case=case,
                    kind=Action.Kind.REMINDER,
                    text=f"Reminder set for {due:%d %b %Y}: {reason}",
                    author=owner,
                    on_behalf_of=on_behalf,
                    occurred_at=set_at,
                    data={"bf": bf.pk, "event": "added", "due_date": due.isoformat()},
                )
            )

    # --- dates ------------------------------------------------------------------------------
    def _working_days_before(self, day: date, days: int) -> date:
        while days:
            day -= timedelta(days=1)
            if self.calendar.is_working_day(day):
                days -= 1
        return day

    def _at(self, day: date, hour: int) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(hour, self.rng.randint(0, 59))))

"""Reads of BFs, always scoped to the person asking. Visibility reuses caseload's rules.

The effective owner of an open BF is its `owner` while that person may still act on the
case (the case's councillor, or active staff they delegated to); otherwise the case's
councillor. "My BFs", the dashboard and the morning digest all use this one definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import connection
from django.db.models import Case as DbCase
from django.db.models import Exists, F, OuterRef, Q, QuerySet, When
from django.utils import timezone

from accounts.models import User
from accounts.selectors import is_council_admin
from caseload.calendar import WorkingCalendar
from caseload.models import Case, Delegation, Referral
from caseload.selectors.access import case_can_change, case_visible_q
from caseload.selectors.dashboard import referrals_awaiting_reply_for_user
from core.errors import NotFound, PermissionDenied
from reminders.models import BF, BFRule


def bf_queryset() -> QuerySet[BF]:
    """BFs annotated with `effective_owner_id` (see the module docstring)."""
    owner_acts = Exists(
        Delegation.objects.confirmed().filter(
            staff_id=OuterRef("owner_id"),
            councillor_id=OuterRef("case__owner_id"),
            councillor__is_active=True,
        )
    )
    return BF.objects.select_related("case", "owner").annotate(
        effective_owner_id=DbCase(
            When(owner_id=F("case__owner_id"), then=F("owner_id")),
            When(Q(owner__is_active=True) & Q(owner_acts), then=F("owner_id")),
            default=F("case__owner_id"),
        )
    )


def bf_due_for_user(*, user: User, on: date | None = None) -> QuerySet[BF]:
    """Open BFs of `user` due on or before `on` (default today) on cases that are not
    closed, oldest first. What /api/v1/reminders/ and the dashboard list."""
    on = on or timezone.localdate()
    if not user.is_active:
        return BF.objects.none()
    return (
        bf_queryset()
        .filter(Q(effective_owner_id=user.pk), done=False, due_date__lte=on)
        .exclude(case__status=Case.Status.CLOSED)
        .order_by("due_date", "id")
    )


def bf_list_for_user(
    *,
    user: User,
    case_id: int | None = None,
    include_done: bool = False,
    due_by: date | None = None,
    mine: bool = True,
) -> QuerySet[BF]:
    """BFs `user` may see: on cases visible to them; by default only their own open BFs."""
    qs = bf_queryset().filter(case__in=Case.objects.filter(case_visible_q(user)).values("pk"))
    if mine:
        qs = qs.filter(Q(effective_owner_id=user.pk))
    if case_id is not None:
        qs = qs.filter(case_id=case_id)
    if not include_done:
        qs = qs.filter(done=False)
    if due_by is not None:
        qs = qs.filter(due_date__lte=due_by)
    return qs.order_by("due_date", "id")


def bf_get_for_user(*, user: User, bf_id: int) -> BF:
    """One BF on a case `user` can see; otherwise 404 (never revealing it exists)."""
    bf = (
        bf_queryset()
        .filter(pk=bf_id, case__in=Case.objects.filter(case_visible_q(user)).values("pk"))
        .first()
    )
    if bf is None:
        raise NotFound(f"No reminder with id {bf_id}.")
    return bf


def bf_get_for_change(*, user: User, bf_id: int) -> BF:
    """One BF `user` may change (on a case they own or act for). NotFound when its case is
    invisible to them; PermissionDenied when the case is only shared with them to read."""
    bf = bf_get_for_user(user=user, bf_id=bf_id)
    if not case_can_change(user, bf.case):
        raise PermissionDenied(
            "This case is shared with you to read. Only its owner and the staff who support "
            "them can change its reminders."
        )
    return bf


def bf_list_for_case(*, case: Case) -> list[BF]:
    """Every BF of a case (everyone's; open ones first by date, then done ones, latest done
    first), for its page. Get the case through caseload's case_get_for_user first."""
    rows = list(
        bf_queryset()
        .filter(case_id=case.pk)
        .select_related("done_by", "rule")
        .order_by("done", "due_date", "id")
    )
    open_bfs = [bf for bf in rows if not bf.done]
    done = sorted((bf for bf in rows if bf.done), key=lambda bf: (bf.done_at, bf.pk), reverse=True)
    return open_bfs + done


def bf_owner_choices(*, case: Case) -> QuerySet[User]:
    """Who a BF on `case` can be given to: its councillor and the active staff acting for
    them (the people who can see and change the case; reminders.services checks the same)."""
    staff = Delegation.objects.filter(councillor_id=case.owner_id, staff__is_active=True).values(
        "staff_id"
    )
    return User.objects.filter(Q(pk=case.owner_id, is_active=True) | Q(pk__in=staff)).order_by(
        "role", "name", "id"
    )


def bf_rule_get_for_admin(*, user: User, rule_id: int) -> BFRule:
    rule = bf_rule_list(user=user).filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(f"No reminder rule with id {rule_id}.")
    return rule


def bf_rule_list(*, user: User) -> QuerySet[BFRule]:
    if not is_council_admin(user):
        raise PermissionDenied("Only a council administrator manages the reminder rules.")
    return BFRule.objects.order_by("trigger", "working_days", "id")


def bf_rules_active(*, trigger: str) -> list[BFRule]:
    return list(BFRule.objects.filter(trigger=trigger, is_active=True).order_by("working_days"))


# ---------------------------------------------------------------------------------------
# The morning digest: everything due for everyone in this council, in one query.
# ---------------------------------------------------------------------------------------


@dataclass
class DigestItem:
    kind: str  # "bf" or "referral"
    item_id: int
    due: date
    what: str  # the BF's reason, or the officer's name for a referral
    case_id: int
    case_reference: str
    case_title: str


@dataclass
class DigestRecipient:
    user_id: int
    email: str
    name: str
    items: list[DigestItem] = field(default_factory=list)


# The effective owner of each open due BF (as in bf_queryset), plus, for each referral past
# its target, the case's councillor and every active staff member acting for them (the same
# people the dashboard shows it to). Uses bf_open_due_owner_idx and referral_awaiting_idx.
# Shared with reminders.services, which claims the BFs in the same statement.
DIGEST_DUE_CTE = """
due AS (
    SELECT 'bf' AS kind, bf.id AS item_id, bf.due_date AS due, bf.reason AS what,
           c.id AS case_id, c.reference, c.title,
           CASE WHEN bf.owner_id = c.owner_id THEN bf.owner_id
                WHEN o.is_active AND EXISTS (
                    SELECT 1 FROM caseload_delegation d JOIN accounts_user dc
                      ON dc.id = d.councillor_id
                    WHERE d.staff_id = bf.owner_id AND d.councillor_id = c.owner_id
                      AND d.confirmed_at IS NOT NULL AND dc.is_active)
                THEN bf.owner_id
                ELSE c.owner_id END AS recipient_id
    FROM reminders_bf bf
    JOIN caseload_case c ON c.id = bf.case_id
    JOIN accounts_user o ON o.id = bf.owner_id
    WHERE bf.done = false AND bf.due_date <= %(today)s AND c.status <> 'closed'
  UNION ALL
    SELECT 'referral', r.id, r.target_date, off.name, c.id, c.reference, c.title, rcp.id
    FROM caseload_referral r
    JOIN caseload_case c ON c.id = r.case_id
    JOIN caseload_officer off ON off.id = r.officer_id
    JOIN LATERAL (
        SELECT c.owner_id AS id
        UNION
        SELECT d.staff_id FROM caseload_delegation d
        WHERE d.councillor_id = c.owner_id AND d.confirmed_at IS NOT NULL
    ) rcp ON true
    WHERE r.replied_at IS NULL AND r.target_date < %(today)s AND c.status <> 'closed'
)"""
DIGEST_COLUMNS = (
    "due.kind, due.item_id, due.due, due.what, due.case_id, due.reference, due.title, "
    "u.id AS user_id, u.email, u.name"
)
DIGEST_RECIPIENT_JOIN = """
FROM due JOIN accounts_user u ON u.id = due.recipient_id
WHERE u.is_active AND u.email <> ''
  AND (due.kind = 'bf' OR u.role = 'councillor' OR EXISTS (
        SELECT 1 FROM caseload_case c2 JOIN accounts_user cu ON cu.id = c2.owner_id
        WHERE c2.id = due.case_id AND cu.is_active))"""
DIGEST_ORDER = "ORDER BY user_id, due, case_id, item_id"
_DIGEST_SQL = (
    f"WITH {DIGEST_DUE_CTE} SELECT {DIGEST_COLUMNS} {DIGEST_RECIPIENT_JOIN} {DIGEST_ORDER}"
)


def digest_group(rows: list[tuple]) -> list[DigestRecipient]:
    """Rows of DIGEST_COLUMNS, ordered by person -> one DigestRecipient per person."""
    recipients: dict[int, DigestRecipient] = {}
    for kind, item_id, due, what, case_id, ref, title, uid, email, name in rows:
        person = recipients.get(uid)
        if person is None:
            person = recipients[uid] = DigestRecipient(user_id=uid, email=email, name=name)
        person.items.append(
            DigestItem(
                kind=kind,
                item_id=item_id,
                due=due,
                what=what,
                case_id=case_id,
                case_reference=ref,
                case_title=title,
            )
        )
    return list(recipients.values())


def digest_recipients(*, today: date) -> list[DigestRecipient]:
    """Everyone in this council with something due on `today`, with their items (whether or
    not already sent today). One query for the whole council, whatever the number of cases
    or people. The morning run uses the same query with the claim folded in
    (reminders.services.reminders_council_digest)."""
    with connection.cursor() as cursor:
        cursor.execute(_DIGEST_SQL, {"today": today})
        return digest_group(cursor.fetchall())


# --- The dashboard: what is due today, and what is coming -------------------------------------
UPCOMING_WORKING_DAYS = 10


@dataclass
class DueItems:
    """What the dashboard lists for `user` on `today`: BFs overdue, due today and due in the
    next UPCOMING_WORKING_DAYS working days (to `upcoming_until`), and every referral still
    awaiting the officer's reply (those past target are the same items as the morning
    digest's: reminders.services.reminders_council_digest)."""

    today: date
    upcoming_until: date | None = None
    referrals_awaiting: list[Referral] = field(default_factory=list)
    bfs_due_today: list[BF] = field(default_factory=list)
    bfs_overdue: list[BF] = field(default_factory=list)
    bfs_upcoming: list[BF] = field(default_factory=list)

    @property
    def referrals_past_target(self) -> list[Referral]:
        return [r for r in self.referrals_awaiting if r.target_date < self.today]

    @property
    def count(self) -> int:
        """Items due today or overdue (what the digest would send)."""
        return len(self.referrals_past_target) + len(self.bfs_due_today) + len(self.bfs_overdue)

    def cases(self) -> list[Case]:
        """The cases these items name (loaded with them), for the page's audit entry."""
        referrals = [r.case for r in self.referrals_past_target]
        return referrals + [bf.case for bf in [*self.bfs_due_today, *self.bfs_overdue]]


def dashboard_due_items(*, user: User, today: date | None = None) -> DueItems:
    """The dashboard's BFs and referrals for `user`: three queries whatever their number
    (the council's working days, the user's open BFs up to the end of the window, the
    referrals awaiting a reply), plus one for a staff member's councillors."""
    today = today or timezone.localdate()
    until = WorkingCalendar.around(today, UPCOMING_WORKING_DAYS).add_working_days(
        today, UPCOMING_WORKING_DAYS
    )
    bfs = list(bf_due_for_user(user=user, on=until))
    return DueItems(
        today=today,
        upcoming_until=until,
        referrals_awaiting=list(referrals_awaiting_reply_for_user(user=user)),
        bfs_due_today=[bf for bf in bfs if bf.due_date == today],
        bfs_overdue=[bf for bf in bfs if bf.due_date < today],
        bfs_upcoming=[bf for bf in bfs if bf.due_date > today],
    )


# --- Figures for the central body's comparison (numbers only) ---------------------------------
def bfs_due_by_month(*, today: date) -> list[tuple[date, int, int]]:
    """(month, BFs due in it that are done or past their date, of those done by the date)."""
    bf = connection.ops.quote_name(BF._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT date_trunc('month', due_date)::date, count(*),
                   count(*) FILTER (WHERE done AND (done_at AT TIME ZONE %(tz)s)::date <= due_date)
              FROM {bf}
             WHERE done OR due_date < %(today)s
             GROUP BY 1
            """,
            {"tz": settings.TIME_ZONE, "today": today},
        )
        return cursor.fetchall()


def cases_with_bf_by_month() -> list[tuple[date, int]]:
    """(month, cases opened in it that have at least one BF)."""
    bf = connection.ops.quote_name(BF._meta.db_table)
    case = connection.ops.quote_name(Case._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT date_trunc('month', c.opened_at AT TIME ZONE %(tz)s)::date, count(*)
              FROM {case} c
             WHERE EXISTS (SELECT 1 FROM {bf} b WHERE b.case_id = c.id)
             GROUP BY 1
            """,
            {"tz": settings.TIME_ZONE},
        )
        return cursor.fetchall()

"""The morning digest: one email per person across councils, exactly once per BF per day."""

from __future__ import annotations

from datetime import date, datetime

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from billing.models import Licence, LicenceState
from caseload.services import delegation_propose, referral_create
from mailer.models import OutboundEmail
from mailer.services import outbox_deliver
from reminders.models import BF, BFDelivery
from reminders.selectors import digest_recipients
from reminders.services import bf_add, bf_reassign, reminders_council_digest
from reminders.tasks import council_digest_task
from tenants.selectors import council_list_ready
from tests.conftest import in_council
from tests.factories import UserFactory
from tests.reminders.conftest import make_case, make_officer, today_is

DAY = date(2026, 3, 10)  # a Tuesday


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 10))


def _populate(tag: str) -> dict[str, User]:
    """In the current council: a councillor and their staff, each with something due."""
    councillor = UserFactory(role="councillor", email=f"cllr@{tag}.gov.uk", name=f"Cllr {tag}")
    staff = UserFactory(role="staff", email=f"staff@{tag}.gov.uk", name=f"Staff {tag}")
    admin = UserFactory(role="admin", email=f"admin@{tag}.gov.uk")
    delegation_propose(actor=councillor, staff=staff, councillor=councillor)
    officer = make_officer(admin)
    with today_is(date(2026, 3, 5)):
        today_case = make_case(councillor, title=f"Due today {tag}")
        bf_add(actor=councillor, case=today_case, due_date=DAY, reason="Ring back")
        overdue_case = make_case(councillor, title=f"Overdue {tag}")
        bf_add(actor=councillor, case=overdue_case, due_date=date(2026, 3, 6), reason="Chase")
        for_staff = bf_add(actor=councillor, case=overdue_case, due_date=DAY, reason="Letter")
        bf_reassign(actor=councillor, bf=for_staff, owner=staff)
    referred = make_case(councillor, title=f"Referred {tag}")
    with today_is(date(2026, 2, 20)):
        # Target 27 February, so past target on DAY; its rule BF is overdue too.
        referral_create(
            actor=councillor,
            case=referred,
            officer=officer,
            working_days=5,
            sent_at=_at(date(2026, 2, 20)),
        )
    return {"councillor": councillor, "staff": staff}


def _sweep(day: date = DAY) -> list[dict]:
    """What beat's fan-out does: the digest task once in every ready council."""
    results = []
    for schema in council_list_ready().values_list("schema_name", flat=True):
        with schema_context(schema):
            results.append(council_digest_task.apply(kwargs={"day": day.isoformat()}).get())
    return results


def _deliver_everywhere() -> None:
    for schema in ["public", *council_list_ready().values_list("schema_name", flat=True)]:
        with schema_context(schema):
            outbox_deliver()


def test_sweep_across_three_councils_sends_each_person_exactly_one_digest(council_a, council_b):
    from console.services import council_provision

    council_c = council_provision(slug="council-c", name="Council C", actor="tests").council
    people = {}
    for council, tag in ((council_a, "a"), (council_b, "b"), (council_c, "c")):
        with in_council(council):
            people[tag] = _populate(tag)

    _sweep()
    _deliver_everywhere()

    recipients = sorted(address for m in mail.outbox for address in m.to)
    assert recipients == sorted(f"{who}@{tag}.gov.uk" for tag in "abc" for who in ("cllr", "staff"))
    by_to = {m.to[0]: m for m in mail.outbox}
    for tag in "abc":
        cllr = by_to[f"cllr@{tag}.gov.uk"]
        assert "1 due today, 2 overdue, 1 referral past target" in cllr.subject
        assert f"Due today {tag}" in cllr.body and f"Overdue {tag}" in cllr.body
        assert f"http://council-{tag}.localhost/cases/" in cllr.body
        # Never another council's cases.
        for other in set("abc") - {tag}:
            assert f"Due today {other}" not in cllr.body and f"Overdue {other}" not in cllr.body
        staff = by_to[f"staff@{tag}.gov.uk"]
        assert "1 due today, 1 referral past target" in staff.subject
        assert "Letter" in staff.body and "Ring back" not in staff.body
        assert staff.alternatives and "<ul>" in staff.alternatives[0][0]
        assert staff.extra_headers["Message-ID"].startswith("<")


def test_sweep_twice_sends_one_email_and_each_bf_once_a_day(cast, council_a):
    with in_council(council_a):
        people = _populate("t")
    first = _sweep()
    second = _sweep()
    _deliver_everywhere()
    _deliver_everywhere()
    assert sum(r["digests"] for r in first) == 2
    assert sum(r["digests"] for r in second) == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["cllr@t.gov.uk", "staff@t.gov.uk"]

    with in_council(council_a):
        # A BF handed to someone else after the morning run is not delivered again today,
        # even though its new owner had no digest yet.
        bf = BF.objects.filter(owner=people["councillor"], reason="Ring back").get()
        late = UserFactory(role="staff", email="late@t.gov.uk")
        delegation_propose(actor=people["councillor"], staff=late, councillor=people["councillor"])
        with today_is(DAY):
            bf_reassign(actor=people["councillor"], bf=bf, owner=late)
        run = reminders_council_digest(day=DAY)
        assert run.bfs_delivered == 0
        # late@ gets only the referral past target (it acts for the councillor now).
        assert run.digests == 1
        assert BFDelivery.objects.filter(bf=bf, day=DAY).count() == 1
        # Next working day it is due again, for its new owner.
        run = reminders_council_digest(day=date(2026, 3, 11))
        assert BFDelivery.objects.filter(bf=bf, day=date(2026, 3, 11), recipient=late).exists()


def test_no_digest_on_weekends_holidays_or_read_only_councils(council_a):
    with in_council(council_a):
        _populate("w")
        assert reminders_council_digest(day=date(2026, 3, 14)).skipped == "not_working_day"
        assert reminders_council_digest(day=date(2026, 4, 3)).skipped == "not_working_day"
    Licence.objects.filter(council=council_a).update(state=LicenceState.LAPSED)
    with in_council(council_a):
        assert reminders_council_digest(day=DAY).skipped == "read_only"
        assert not OutboundEmail.objects.exists()


def _data_queries(ctx: CaptureQueriesContext) -> list[str]:
    # django-tenants issues "SET search_path" when it opens a cursor; that is not a query
    # on the data, and it does not depend on the number of rows either.
    return [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith("SET search_path")]


def _query_count(day: date) -> int:
    with CaptureQueriesContext(connection) as ctx:
        reminders_council_digest(day=day)
    return len(_data_queries(ctx))


def test_digest_cost_does_not_grow_with_cases(council_a):
    with in_council(council_a):
        owner = UserFactory(role="councillor", email="q@a.gov.uk")

        def add_bfs(n: int, due: date) -> None:
            # Opened on Friday 6 March: the "no action for 5 working days" rule adds its
            # own BFs only from the 13th, after the days this test counts.
            with today_is(date(2026, 3, 6)):
                for i in range(n):
                    case = make_case(owner, title=f"Case {i}")
                    bf_add(actor=owner, case=case, due_date=due, reason="Due")

        add_bfs(5, DAY)
        reminders_council_digest(day=date(2026, 3, 9))  # seeds 2025's holidays: one-off
        with CaptureQueriesContext(connection) as ctx:
            people = digest_recipients(today=DAY)
        assert len(_data_queries(ctx)) == 1 and len(people[0].items) == 5
        small = _query_count(DAY)

        next_day = date(2026, 3, 11)
        add_bfs(50, next_day)
        with CaptureQueriesContext(connection) as ctx:
            people = digest_recipients(today=next_day)
        assert len(_data_queries(ctx)) == 1 and len(people[0].items) == 55
        assert _query_count(next_day) == small
        assert BFDelivery.objects.filter(day=next_day).count() == 55
        assert OutboundEmail.objects.count() == 2

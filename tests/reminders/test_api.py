"""/api/v1/reminders/: my due BFs, add/snooze/reassign/complete, admin rules. Two councils
and outsiders everywhere."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reminders.models import BF
from reminders.services import bf_add
from tests.conftest import in_council, today_is
from tests.reminders.conftest import make_case


def _bf(cast, council, due: date | None = None, owner=None):
    with in_council(council):
        case = make_case(cast.owner)
        return bf_add(
            actor=cast.owner,
            case=case,
            due_date=due or timezone.localdate(),
            reason="Chase",
            owner=owner,
        )


def test_list_is_my_due_and_overdue_bfs_only(cast, council_a, council_b, api_for, on_a_working_day):
    today = timezone.localdate()
    mine = _bf(cast, council_a)
    later = _bf(cast, council_a, due=today + timedelta(days=10))
    _bf(cast, council_a, owner=cast.staff)
    with in_council(council_a):
        BF.objects.filter(pk=mine.pk).update(due_date=today - timedelta(days=3))  # overdue

    body = api_for(council_a, cast.owner).get("/api/v1/reminders/").json()
    assert [r["id"] for r in body["results"]] == [mine.pk]
    assert body["results"][0]["overdue"] is True
    assert body["results"][0]["case"]["reference"]
    upcoming = api_for(council_a, cast.owner).get("/api/v1/reminders/?scope=open").json()
    assert [r["id"] for r in upcoming["results"]] == [mine.pk, later.pk]
    # Staff see their own; colleagues, admins and another council's users see nothing.
    assert len(api_for(council_a, cast.staff).get("/api/v1/reminders/").json()["results"]) == 1
    for user in (cast.ward_colleague, cast.admin):
        assert api_for(council_a, user).get("/api/v1/reminders/").json()["results"] == []
    assert api_for(council_b, cast.outsider).get("/api/v1/reminders/").json()["results"] == []
    assert api_for(council_a).get("/api/v1/reminders/").status_code == 401


def test_list_query_count_is_the_same_for_5_and_50_rows(cast, council_a, api_for):
    with in_council(council_a):
        case = make_case(cast.owner)

    def add(n: int) -> None:
        with in_council(council_a):
            BF.objects.bulk_create(
                BF(case=case, due_date=timezone.localdate(), reason=f"r{i}", owner=cast.owner)
                for i in range(n)
            )

    client = api_for(council_a, cast.owner)
    counts = []
    for n, total in ((5, 5), (45, 50)):
        add(n)
        client.get("/api/v1/reminders/")
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/api/v1/reminders/")
        assert len(response.json()["results"]) == total
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_dashboard_api_lists_my_bfs_due_today_and_overdue(
    cast, council_a, council_b, api_for, on_a_working_day
):
    today = timezone.localdate()
    now = _bf(cast, council_a)
    old = _bf(cast, council_a)
    _bf(cast, council_a, due=today + timedelta(days=10))
    with in_council(council_a):
        BF.objects.filter(pk=old.pk).update(due_date=today - timedelta(days=3))

    body = api_for(council_a, cast.owner).get("/api/v1/dashboard/").json()
    assert [b["id"] for b in body["bfs_due_today"]] == [now.pk]
    assert [b["id"] for b in body["bfs_overdue"]] == [old.pk]
    assert body["bfs_overdue"][0]["case"]["reference"] == old.case.reference
    assert body["bfs_overdue"][0]["owner"]["id"] == cast.owner.pk
    # Delegated staff see the councillor's BFs only once reassigned to them; colleagues and
    # another council's users see none.
    for client in (
        api_for(council_a, cast.staff),
        api_for(council_a, cast.ward_colleague),
        api_for(council_b, cast.outsider),
    ):
        body = client.get("/api/v1/dashboard/").json()
        assert body["bfs_due_today"] == body["bfs_overdue"] == []
    assert api_for(council_a).get("/api/v1/dashboard/").status_code == 401


def test_on_a_weekend_everything_due_by_then_is_listed(cast, council_a, api_for):
    """A councillor who signs in on a Saturday or Sunday sees what fell due on the working
    days before (as overdue) and nothing "due today", since no BF falls on a weekend: one
    asked for on a weekend day moves to the next working day and shows from then."""
    with today_is(date(2026, 12, 3)):
        thursday = _bf(cast, council_a)
    with today_is(date(2026, 12, 4)):
        friday = _bf(cast, council_a)
    with today_is(date(2026, 12, 5)):
        monday = _bf(cast, council_a)
    assert (thursday.due_date, friday.due_date, monday.due_date) == (
        date(2026, 12, 3),
        date(2026, 12, 4),
        date(2026, 12, 7),
    )
    client = api_for(council_a, cast.owner)
    for weekend_day in (date(2026, 12, 5), date(2026, 12, 6)):
        with today_is(weekend_day):
            dashboard = client.get("/api/v1/dashboard/").json()
            listed = client.get("/api/v1/reminders/").json()["results"]
            upcoming = client.get("/api/v1/reminders/?scope=open").json()["results"]
        assert dashboard["bfs_due_today"] == []
        assert [b["id"] for b in dashboard["bfs_overdue"]] == [thursday.pk, friday.pk]
        assert [(r["id"], r["overdue"]) for r in listed] == [
            (thursday.pk, True),
            (friday.pk, True),
        ]
        assert [r["id"] for r in upcoming] == [thursday.pk, friday.pk, monday.pk]
    with today_is(date(2026, 12, 7)):
        dashboard = client.get("/api/v1/dashboard/").json()
    assert [b["id"] for b in dashboard["bfs_due_today"]] == [monday.pk]
    assert [b["id"] for b in dashboard["bfs_overdue"]] == [thursday.pk, friday.pk]


def test_dashboard_api_query_count_is_the_same_for_5_and_50_bfs(cast, council_a, api_for):
    with in_council(council_a):
        case = make_case(cast.owner)
    client = api_for(council_a, cast.owner)
    counts = []
    for n, total in ((5, 5), (45, 50)):
        with in_council(council_a):
            BF.objects.bulk_create(
                BF(case=case, due_date=timezone.localdate(), reason=f"r{i}", owner=cast.owner)
                for i in range(n)
            )
        client.get("/api/v1/dashboard/")
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/api/v1/dashboard/")
        assert len(response.json()["bfs_due_today"]) == total
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_add_snooze_reassign_complete_through_the_api(cast, council_a, api_for):
    with in_council(council_a):
        case = make_case(cast.owner)
    owner = api_for(council_a, cast.owner)
    today = timezone.localdate()
    created = owner.post(
        "/api/v1/reminders/",
        {"case": case.pk, "due_date": (today + timedelta(days=7)).isoformat(), "reason": "Chase"},
    )
    assert created.status_code == 201, created.content
    bf_id = created.json()["id"]
    snoozed = owner.post(f"/api/v1/reminders/{bf_id}/snooze/", {"working_days": 3})
    assert snoozed.status_code == 200 and snoozed.json()["snooze_count"] == 1
    moved = owner.post(f"/api/v1/reminders/{bf_id}/reassign/", {"owner": cast.staff.pk})
    assert moved.json()["owner"]["id"] == cast.staff.pk
    done = api_for(council_a, cast.staff).post(
        f"/api/v1/reminders/{bf_id}/complete/", {"note": "Done"}
    )
    assert done.status_code == 200 and done.json()["done"] is True
    again = owner.post(f"/api/v1/reminders/{bf_id}/complete/", {})
    assert again.status_code == 422 and again.json()["error"]["code"] == "invalid_state"
    listed = owner.get(f"/api/v1/reminders/?case={case.pk}&include_done=true").json()
    assert [r["id"] for r in listed["results"]] == [bf_id]


def test_api_refusals(cast, council_a, council_b, api_for):
    bf = _bf(cast, council_a)
    owner = api_for(council_a, cast.owner)
    bad = owner.post(
        "/api/v1/reminders/", {"case": bf.case_id, "due_date": "2000-01-01", "reason": "x"}
    )
    assert bad.status_code == 400 and "due_date" in bad.json()["error"]["fields"]
    assert owner.post("/api/v1/reminders/", {"case": bf.case_id}).status_code == 400
    assert (
        owner.post(
            f"/api/v1/reminders/{bf.pk}/reassign/", {"owner": cast.other_staff.pk}
        ).status_code
        == 400
    )
    assert (
        owner.post(f"/api/v1/reminders/{bf.pk}/snooze/", {"until": "2000-01-01"}).status_code == 400
    )
    # Someone who cannot see the case, and another council: 404, never the BF.
    for client in (api_for(council_a, cast.other_staff), api_for(council_b, cast.outsider)):
        assert client.get(f"/api/v1/reminders/{bf.pk}/").status_code == 404
        assert client.post(f"/api/v1/reminders/{bf.pk}/complete/", {}).status_code == 404
        assert (
            client.post(
                "/api/v1/reminders/",
                {"case": bf.case_id, "due_date": timezone.localdate().isoformat(), "reason": "x"},
            ).status_code
            == 404
        )
    with in_council(council_a):
        assert BF.objects.count() == 1 and not BF.objects.get().done


def test_admin_manages_rules_others_cannot(cast, council_a, council_b, api_for):
    admin = api_for(council_a, cast.admin)
    rules = admin.get("/api/v1/reminders/rules/").json()
    assert {(r["trigger"], r["working_days"]) for r in rules} == {
        ("referral", 0),
        ("reply_received", 5),
        ("no_action", 5),
    }
    created = admin.post(
        "/api/v1/reminders/rules/",
        {"trigger": "no_action", "working_days": 10, "reason": "Still quiet"},
    )
    assert created.status_code == 201
    dup = admin.post(
        "/api/v1/reminders/rules/", {"trigger": "no_action", "working_days": 10, "reason": "Again"}
    )
    assert dup.status_code == 409
    zero = admin.post(
        "/api/v1/reminders/rules/", {"trigger": "no_action", "working_days": 0, "reason": "x"}
    )
    assert zero.status_code == 400
    rule_id = created.json()["id"]
    off = admin.patch(f"/api/v1/reminders/rules/{rule_id}/", {"is_active": False})
    assert off.status_code == 200 and off.json()["is_active"] is False
    for client in (api_for(council_a, cast.owner), api_for(council_a, cast.staff)):
        assert client.get("/api/v1/reminders/rules/").status_code == 403
        assert (
            client.patch(f"/api/v1/reminders/rules/{rule_id}/", {"is_active": True}).status_code
            == 403
        )
    outsider_admin = api_for(council_b, None)
    assert outsider_admin.get("/api/v1/reminders/rules/").status_code == 401

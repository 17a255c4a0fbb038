"""The BF web pages as every role, with the API's permission rules: the case page's BF
section, the add / snooze / reassign / complete forms, the dashboard's lists, and the
administrator's BF rules page.

Who may do what (as in reminders.api.views): the case's councillor and the staff acting for
them change its BFs; a colleague the case is shared with reads them (a form is a 403); a
councillor or staff member who cannot see the case gets a 404, as does another council; an
administrator, who does not read casework, gets a 403; only administrators edit the rules.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caseload.calendar import add_working_days
from caseload.models import Action
from caseload.services import case_close, case_set_sharing, referral_create
from reminders.models import BF, BFRule
from reminders.services import bf_add, bf_rules_ensure_defaults
from tests.caseload.pages_support import accessibility_problems, client_for
from tests.conftest import in_council
from tests.reminders.conftest import make_case, make_officer


@pytest.fixture
def world(cast, council_a, on_a_working_day):
    """A case of the owner's with one BF due in 3 working days and a referral, in council A
    on a working day (2026-03-10)."""
    today = on_a_working_day
    with in_council(council_a):
        case = make_case(cast.owner, title="Pothole outside number 12", ward=cast.north)
        bf = bf_add(
            actor=cast.owner,
            case=case,
            due_date=add_working_days(today, 3),
            reason="Check the pothole is filled",
        )
        officer = make_officer(cast.admin, name="Iain Roads")
        referral = referral_create(actor=cast.owner, case=case, officer=officer, working_days=5)
        rule = BFRule.objects.get(trigger="reply_received")
    return {"case": case, "bf": bf, "referral": referral, "rule": rule, "today": today}


def _bf_urls(world) -> dict[str, str]:
    bf = world["bf"].pk
    return {
        "add": f"/cases/{world['case'].pk}/bfs/new/",
        "snooze": f"/bfs/{bf}/snooze/",
        "reassign": f"/bfs/{bf}/reassign/",
        "complete": f"/bfs/{bf}/complete/",
    }


def _date(prefix: str, day: date) -> dict[str, str]:
    return {
        f"{prefix}_day": str(day.day),
        f"{prefix}_month": str(day.month),
        f"{prefix}_year": str(day.year),
    }


def _fresh(bf: BF, council) -> BF:
    with in_council(council):
        return BF.objects.get(pk=bf.pk)


# --- Who gets what --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("owner", 200),
        ("staff", 200),  # delegated by the owner
        ("other_staff", 404),  # no delegation: cannot see the case
        ("other_councillor", 404),  # another ward: cannot see it
        ("ward_colleague", 404),  # the case is private until shared
        ("admin", 403),  # administrators do not read casework
    ],
)
def test_bf_forms_by_role(who, status, cast, council_a, world) -> None:
    client = client_for(council_a, getattr(cast, who))
    before = _fresh(world["bf"], council_a)
    for name, url in _bf_urls(world).items():
        page = client.get(url)
        assert page.status_code == status, (name, url)
        if status == 200:
            assert accessibility_problems(page.content.decode()) == [], url
            assert b"Pothole outside number 12" in page.content
        else:
            assert b"Pothole outside number 12" not in page.content
            assert b"Check the pothole" not in page.content
            response = client.post(url, {"note": "x", "working_days": "2", "reason": "x"})
            assert response.status_code == status, (name, url)
    if status != 200:
        after = _fresh(world["bf"], council_a)
        assert (after.due_date, after.owner_id, after.done) == (
            before.due_date,
            before.owner_id,
            before.done,
        )


def test_a_colleague_the_case_is_shared_with_reads_the_bfs_but_cannot_change_them(
    cast, council_a, world
) -> None:
    with in_council(council_a):
        case_set_sharing(actor=cast.owner, case=world["case"], sharing="ward")
    client = client_for(council_a, cast.ward_colleague)
    page = client.get(f"/cases/{world['case'].pk}/").content.decode()
    assert "Check the pothole is filled" in page
    assert "/snooze/" not in page and "/bfs/new/" not in page
    for url in _bf_urls(world).values():
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"working_days": "2", "note": ""}).status_code == 403, url
    assert not _fresh(world["bf"], council_a).done


def test_another_council_and_anonymous_get_nothing(cast, council_b, council_a, world) -> None:
    outsider = client_for(council_b, cast.outsider)
    anonymous = client_for(council_a, None)
    for url in _bf_urls(world).values():
        assert outsider.get(url).status_code == 404, url
        assert outsider.post(url, {"working_days": "2"}).status_code == 404, url
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
        assert anonymous.post(url, {"working_days": "2"}).status_code == 302
    for url in ("/admin-area/bf-rules/", f"/admin-area/bf-rules/{world['rule'].pk}/"):
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert _fresh(world["bf"], council_a).snooze_count == 0


# --- The case page --------------------------------------------------------------------------


def test_case_page_lists_bfs_with_their_state_and_the_forms(cast, council_a, world) -> None:
    today = world["today"]
    with in_council(council_a):
        done = bf_add(
            actor=cast.owner, case=world["case"], due_date=today, reason="Phone Morag back"
        )
        done.done, done.done_at, done.done_by = True, done.created_at, cast.owner
        done.save(update_fields=["done", "done_at", "done_by"])
        bf_add(
            actor=cast.owner,
            case=world["case"],
            due_date=today,
            reason="Ask roads for a date",
            owner=cast.staff,
        )
    for user in (cast.owner, cast.staff):
        html = client_for(council_a, user).get(f"/cases/{world['case'].pk}/").content.decode()
        assert accessibility_problems(html) == []
        section = html[html.index('id="bfs"') :]
        assert "Check the pothole is filled" in section and "Open" in section
        assert "Ask roads for a date" in section and "Due today" in section
        assert cast.staff.name in section  # whose it is
        assert "Phone Morag back" in section and "Done" in section
        # The referral's chaser, made by the council's rule on the target date.
        assert world["referral"].target_date.strftime("%-d %b %Y") in section
        assert "Set by a council rule for a referral" in section
        assert f"/bfs/{world['bf'].pk}/snooze/" in section
        assert f"/cases/{world['case'].pk}/bfs/new/" in section
        assert f"/bfs/{done.pk}/snooze/" not in section  # nothing to do on a done one


def test_a_closed_case_offers_no_new_bf(cast, council_a, world) -> None:
    with in_council(council_a):
        case_close(actor=cast.owner, case=world["case"], outcome="resolved")
    client = client_for(council_a, cast.owner)
    html = client.get(f"/cases/{world['case'].pk}/").content.decode()
    assert "/bfs/new/" not in html
    response = client.post(
        _bf_urls(world)["add"], {**_date("due_date", world["today"]), "reason": "x"}
    )
    assert response.status_code == 400
    assert b"A closed case cannot be brought forward" in response.content


# --- The forms ------------------------------------------------------------------------------


def test_add_a_bf_for_a_staff_member(cast, council_a, world) -> None:
    client = client_for(council_a, cast.owner)
    page = client.get(_bf_urls(world)["add"]).content.decode()
    # Offered to the councillor and the staff acting for them; not to anyone else.
    assert cast.staff.name in page and cast.other_staff.name not in page
    assert cast.ward_colleague.name not in page
    saturday = date(2026, 3, 14)
    response = client.post(
        _bf_urls(world)["add"],
        {**_date("due_date", saturday), "reason": "Ring the roads manager", "owner": cast.staff.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{world['case'].pk}/#bfs"
    with in_council(council_a):
        bf = BF.objects.get(reason="Ring the roads manager")
        assert (bf.owner_id, bf.due_date, bf.created_by_id) == (
            cast.staff.pk,
            date(2026, 3, 16),  # the weekend moves it to Monday
            cast.owner.pk,
        )
        assert Action.objects.filter(case=world["case"], kind="reminder", data__bf=bf.pk).exists()
    followed = client.get(response["Location"]).content.decode()
    assert "16 March 2026 (the next working day)" in followed


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"reason": "x"}, "due_date", "Enter the date to bring the case forward"),
        (
            {"due_date_day": "31", "due_date_month": "2", "due_date_year": "2026", "reason": "x"},
            "due_date",
            "must be a real date",
        ),
        ({"reason": "x", "past": True}, "due_date", "A reminder cannot be due in the past."),
        ({"reason": "x", "far": True}, "due_date", "A reminder is at most two years ahead."),
        ({"reason": ""}, "reason", "Say what the case is brought forward for"),
        ({"reason": "x", "owner": "other_staff"}, "owner", "Choose someone from the list"),
    ],
)
def test_add_form_errors_are_shown_on_the_form(data, field, message, cast, council_a, world):
    today = world["today"]
    data = dict(data)
    if data.pop("past", False):
        data.update(_date("due_date", today - timedelta(days=1)))
    elif data.pop("far", False):
        data.update(_date("due_date", today + timedelta(days=800)))
    elif "due_date_day" not in data and field != "due_date":
        data.update(_date("due_date", today))
    if data.get("owner") == "other_staff":
        data["owner"] = cast.other_staff.pk
    client = client_for(council_a, cast.owner)
    with in_council(council_a):
        count = BF.objects.count()
    response = client.post(_bf_urls(world)["add"], data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'id="id_{field}' in html and "govuk-error-summary" in html
    assert accessibility_problems(html) == []
    with in_council(council_a):
        assert BF.objects.count() == count


def test_snooze_by_working_days_or_to_a_date(cast, council_a, world) -> None:
    client = client_for(council_a, cast.staff)  # staff acting for the owner
    url = _bf_urls(world)["snooze"]
    assert client.post(url, {"working_days": "5"}).status_code == 302
    bf = _fresh(world["bf"], council_a)
    assert bf.due_date == date(2026, 3, 17) and bf.snooze_count == 1
    assert client.post(url, _date("until", date(2026, 3, 21))).status_code == 302
    bf = _fresh(world["bf"], council_a)
    assert bf.due_date == date(2026, 3, 23) and bf.snooze_count == 2  # Saturday -> Monday
    with in_council(council_a):
        entry = Action.objects.filter(case=world["case"], kind="reminder").first()
        assert entry is not None and entry.author_id == cast.staff.pk
        assert entry.on_behalf_of_id == cast.owner.pk


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter a number of working days or a new date"),
        (
            {"working_days": "3", "until_day": "20", "until_month": "3", "until_year": "2026"},
            "not both",
        ),
        ({"working_days": "0"}, "Snooze for at least 1 working day"),
        ({"working_days": "61"}, "Snooze for 60 working days or fewer"),
        ({"working_days": "soon"}, "Enter working days as a whole number"),
        (
            {"until_day": "10", "until_month": "3", "until_year": "2026"},
            "Snooze to a day after today.",
        ),
    ],
)
def test_snooze_errors_are_shown_on_the_form(data, message, cast, council_a, world) -> None:
    response = client_for(council_a, cast.owner).post(_bf_urls(world)["snooze"], data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert accessibility_problems(response.content.decode()) == []
    assert _fresh(world["bf"], council_a).snooze_count == 0


def test_reassign_only_to_someone_who_can_change_the_case(cast, council_a, world) -> None:
    client = client_for(council_a, cast.owner)
    url = _bf_urls(world)["reassign"]
    page = client.get(url).content.decode()
    assert cast.staff.name in page and cast.other_staff.name not in page
    for stranger in (cast.other_staff, cast.ward_colleague, cast.admin):
        response = client.post(url, {"owner": stranger.pk})
        assert response.status_code == 400
        assert "Choose someone from the list" in response.content.decode()
    assert client.post(url, {"owner": "999999"}).status_code == 400
    assert _fresh(world["bf"], council_a).owner_id == cast.owner.pk
    assert client.post(url, {"owner": cast.staff.pk}).status_code == 302
    assert _fresh(world["bf"], council_a).owner_id == cast.staff.pk


def test_complete_once_with_a_note(cast, council_a, world) -> None:
    client = client_for(council_a, cast.owner)
    url = _bf_urls(world)["complete"]
    too_long = client.post(url, {"note": "x" * 301})
    assert too_long.status_code == 400 and b"300 characters or fewer" in too_long.content
    assert client.post(url, {"note": "Filled on Monday"}).status_code == 302
    bf = _fresh(world["bf"], council_a)
    assert bf.done and bf.done_note == "Filled on Monday" and bf.done_by_id == cast.owner.pk
    again = client.post(url, {"note": ""})
    assert again.status_code == 400 and b"already done" in again.content
    # A done BF cannot be snoozed or given away either (the service says so on the form).
    assert client.post(_bf_urls(world)["snooze"], {"working_days": "2"}).status_code == 400


# --- The dashboard --------------------------------------------------------------------------


def test_dashboard_lists_overdue_today_upcoming_and_referrals_awaiting(
    cast, council_a, world
) -> None:
    today = world["today"]
    with in_council(council_a):
        BF.objects.filter(pk=world["bf"].pk).update(due_date=today - timedelta(days=1))
        bf_add(actor=cast.owner, case=world["case"], due_date=today, reason="Due now")
        bf_add(
            actor=cast.owner,
            case=world["case"],
            due_date=add_working_days(today, 10),
            reason="Last day of the window",
        )
        bf_add(
            actor=cast.owner,
            case=world["case"],
            due_date=add_working_days(today, 11),
            reason="Beyond the window",
        )
        late_case = make_case(cast.owner, title="Fly-tipping in the lane", ward=cast.north)
        late = referral_create(
            actor=cast.owner, case=late_case, officer=world["referral"].officer, working_days=1
        )
        type(late).objects.filter(pk=late.pk).update(
            target_date=today - timedelta(days=2), original_target_date=today - timedelta(days=2)
        )
    html = client_for(council_a, cast.owner).get("/").content.decode()
    assert accessibility_problems(html) == []
    overdue, _, rest = html.partition("Coming up")
    assert "Overdue BF" in overdue and "Check the pothole is filled" in overdue
    assert "BF today" in overdue and "Due now" in overdue
    upcoming, _, referrals = rest.partition("Referrals awaiting a reply")
    assert "Last day of the window" in upcoming and "Beyond the window" not in html
    assert "to Tuesday 24 March" in upcoming  # 10 working days from Tuesday 10 March
    assert "Pothole outside number 12" in referrals and "Awaiting reply" in referrals
    target = world["referral"].target_date.strftime("%-d %b %Y")
    assert f"Iain Roads to reply by {target}" in referrals
    assert "Reply overdue" in referrals and "Fly-tipping in the lane" in referrals
    # Staff acting for the owner see the owner's referrals, not the owner's BFs.
    staff_html = client_for(council_a, cast.staff).get("/").content.decode()
    assert "Fly-tipping in the lane" in staff_html and "Due now" not in staff_html


def test_dashboard_queries_stay_bounded_and_seed_no_holidays(cast, council_a, world) -> None:
    client = client_for(council_a, cast.owner)
    client.get("/")  # the year's holidays are seeded by the first working-day question

    def count() -> tuple[int, list[str]]:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]

    few, _ = count()
    today = world["today"]
    with in_council(council_a):
        officer = world["referral"].officer
        for n in range(15):
            case = make_case(cast.owner, title=f"Case {n}", ward=cast.north)
            bf_add(actor=cast.owner, case=case, due_date=add_working_days(today, n % 8), reason="x")
            referral_create(actor=cast.owner, case=case, officer=officer, working_days=3)
    many, statements = count()
    assert many == few, (few, many)
    # 22, plus the audit log's one INSERT for the page (and its SET search_path).
    assert many <= 24, many
    assert not [s for s in statements if "holiday" in s.lower() and "INSERT" in s.upper()]


# --- The BF rules page ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "staff", "ward_colleague"])
def test_rules_pages_are_for_administrators_only(who, cast, council_a, world) -> None:
    client = client_for(council_a, getattr(cast, who))
    rule = world["rule"]
    for url in ("/admin-area/bf-rules/", f"/admin-area/bf-rules/{rule.pk}/"):
        assert client.get(url).status_code == 403, url
    posts = [
        ("/admin-area/bf-rules/", {"trigger": "referral", "working_days": "3", "reason": "x"}),
        (f"/admin-area/bf-rules/{rule.pk}/", {"working_days": "9", "reason": "x"}),
        (f"/admin-area/bf-rules/{rule.pk}/toggle/", {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    with in_council(council_a):
        assert BFRule.objects.count() == 3
        assert BFRule.objects.get(pk=rule.pk).is_active


def test_admin_lists_adds_changes_and_switches_off_rules(cast, council_a, world) -> None:
    client = client_for(council_a, cast.admin)
    page = client.get("/admin-area/bf-rules/")
    assert page.status_code == 200
    html = page.content.decode()
    assert accessibility_problems(html) == []
    assert "Officer&#x27;s reply received" in html or "Officer's reply received" in html
    assert "/admin-area/bf-rules/" in client.get("/admin-area/").content.decode()
    response = client.post(
        "/admin-area/bf-rules/",
        {"trigger": "referral", "working_days": "3", "reason": "Chase again"},
    )
    assert response.status_code == 302
    with in_council(council_a):
        added = BFRule.objects.get(trigger="referral", working_days=3)
    edit = f"/admin-area/bf-rules/{added.pk}/"
    assert client.get(edit).status_code == 200
    response = client.post(
        edit, {"working_days": "4", "reason": "Chase once more", "is_active": "on"}
    )
    assert response.status_code == 302
    assert client.post(f"/admin-area/bf-rules/{added.pk}/toggle/").status_code == 302
    with in_council(council_a):
        added.refresh_from_db()
        assert (added.working_days, added.reason, added.is_active) == (4, "Chase once more", False)
    assert "Off" in client.get("/admin-area/bf-rules/").content.decode()
    assert client.post(f"/admin-area/bf-rules/{added.pk}/toggle/").status_code == 302
    with in_council(council_a):
        added.refresh_from_db()
        assert added.is_active


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"trigger": "no_action", "working_days": "0", "reason": "x"}, "between 1 and 60"),
        ({"trigger": "referral", "working_days": "61", "reason": "x"}, "between 0 and 60"),
        ({"trigger": "referral", "working_days": "0", "reason": "x"}, "already exists"),
        ({"trigger": "sometimes", "working_days": "2", "reason": "x"}, "Select a valid choice"),
        ({"trigger": "referral", "working_days": "two", "reason": "x"}, "whole number"),
        (
            {"trigger": "referral", "working_days": "2", "reason": ""},
            "Say what the reminder is for",
        ),
    ],
)
def test_rule_errors_are_shown_on_the_form(data, message, cast, council_a, world) -> None:
    response = client_for(council_a, cast.admin).post("/admin-area/bf-rules/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and "govuk-error-summary" in html
    assert accessibility_problems(html) == []
    with in_council(council_a):
        assert BFRule.objects.count() == 3


def test_rule_edit_errors_and_another_councils_rule(cast, council_a, council_b, make_user, world):
    client = client_for(council_a, cast.admin)
    rule = world["rule"]
    response = client.post(
        f"/admin-area/bf-rules/{rule.pk}/", {"working_days": "99", "reason": "x"}
    )
    assert response.status_code == 400 and b"between 0 and 60" in response.content
    other_admin = make_user(council_b, role="admin", email="admin@b.gov.uk")
    with in_council(council_b):
        bf_rules_ensure_defaults()
        max_b = BFRule.objects.order_by("-pk").first().pk
    other = client_for(council_b, other_admin)
    assert other.get(f"/admin-area/bf-rules/{max_b + 100}/").status_code == 404
    assert other.post(f"/admin-area/bf-rules/{max_b + 100}/toggle/").status_code == 404
    with in_council(council_a):
        assert BFRule.objects.get(pk=rule.pk).working_days == rule.working_days

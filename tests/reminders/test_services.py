"""A person's BFs: add, snooze, reassign (to delegated staff), complete; who may do what."""

from __future__ import annotations

from datetime import date

import pytest

from billing.models import Licence, LicenceState
from caseload.models import Action, Delegation
from caseload.services import case_set_sharing, delegation_propose, delegation_revoke
from core.errors import NotFound, PermissionDenied, StateError, ValidationFailed
from reminders.models import BF
from reminders.selectors import (
    bf_due_for_user,
    bf_get_for_user,
    bf_list_for_user,
    dashboard_due_items,
)
from reminders.services import bf_add, bf_complete, bf_reassign, bf_snooze
from tests.conftest import in_council
from tests.reminders.conftest import make_case, today_is

FRIDAY = date(2026, 7, 31)  # the Monday after is Scotland's summer bank holiday


def test_add_snooze_reassign_complete(cast, council_a):
    with in_council(council_a), today_is(FRIDAY):
        case = make_case(cast.owner)
        bf = bf_add(actor=cast.owner, case=case, due_date=FRIDAY, reason="Ring Mrs Smith")
        assert (bf.owner_id, bf.due_date, bf.source) == (cast.owner.pk, FRIDAY, "manual")
        assert [b.pk for b in bf_due_for_user(user=cast.owner)] == [bf.pk]

        bf = bf_snooze(actor=cast.owner, bf=bf)  # one working day: Tuesday 4 August
        assert bf.due_date == date(2026, 8, 4) and bf.snooze_count == 1
        bf = bf_snooze(actor=cast.owner, bf=bf, until=date(2026, 8, 8))  # a Saturday
        assert bf.due_date == date(2026, 8, 10)
        bf = bf_snooze(actor=cast.owner, bf=bf, working_days=5)
        assert bf.due_date == date(2026, 8, 10)  # Fri + 5 working days, skipping 3 August
        assert bf_due_for_user(user=cast.owner).count() == 0

        bf = bf_reassign(actor=cast.owner, bf=bf, owner=cast.staff)
        assert bf.owner_id == cast.staff.pk
        assert bf_list_for_user(user=cast.staff).get().pk == bf.pk
        assert not bf_list_for_user(user=cast.owner).exists()

        bf = bf_complete(actor=cast.staff, bf=bf, note="Spoke to her")
        assert bf.done and bf.done_by_id == cast.staff.pk and bf.done_note == "Spoke to her"
        with pytest.raises(StateError):
            bf_complete(actor=cast.staff, bf=bf)
        with pytest.raises(StateError):
            bf_snooze(actor=cast.owner, bf=bf)


def test_add_on_a_holiday_moves_to_next_working_day_and_staff_own_by_default(cast, council_a):
    with in_council(council_a), today_is(FRIDAY):
        case = make_case(cast.owner)
        bf = bf_add(actor=cast.staff, case=case, due_date=date(2026, 8, 3), reason="Chase")
    assert bf.due_date == date(2026, 8, 4) and bf.owner_id == cast.staff.pk


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"due_date": date(2026, 7, 30)}, "due_date"),  # yesterday
        ({"reason": " "}, "reason"),
        ({"reason": "x" * 301}, "reason"),
    ],
)
def test_add_refuses_bad_input(cast, council_a, fields, field):
    with in_council(council_a), today_is(FRIDAY):
        case = make_case(cast.owner)
        kwargs = {"due_date": FRIDAY, "reason": "Chase", **fields}
        with pytest.raises(ValidationFailed) as info:
            bf_add(actor=cast.owner, case=case, **kwargs)
        assert field in info.value.extra
        assert not BF.objects.exists()


def test_who_may_act(cast, council_a):
    with in_council(council_a), today_is(FRIDAY):
        case = make_case(cast.owner)
        bf = bf_add(actor=cast.owner, case=case, due_date=FRIDAY, reason="Chase")
        # Reassign only to the councillor or their delegated staff.
        for stranger in (cast.other_staff, cast.ward_colleague, cast.admin):
            with pytest.raises(ValidationFailed):
                bf_reassign(actor=cast.owner, bf=bf, owner=stranger)
        # Not visible: 404. Shared to read: 403.
        with pytest.raises(NotFound):
            bf_complete(actor=cast.ward_colleague, bf=bf)
        with pytest.raises(NotFound):
            bf_get_for_user(user=cast.other_staff, bf_id=bf.pk)
        with pytest.raises(NotFound):
            bf_get_for_user(user=cast.admin, bf_id=bf.pk)
        case_set_sharing(actor=cast.owner, case=case, sharing="ward")
        assert bf_get_for_user(user=cast.ward_colleague, bf_id=bf.pk).pk == bf.pk
        with pytest.raises(PermissionDenied):
            bf_snooze(actor=cast.ward_colleague, bf=bf)
        assert not bf_due_for_user(user=cast.ward_colleague).exists()  # not theirs


def test_bf_of_staff_who_lost_delegation_falls_back_to_the_councillor(cast, council_a):
    with in_council(council_a), today_is(FRIDAY):
        case = make_case(cast.owner)
        bf = bf_add(actor=cast.staff, case=case, due_date=FRIDAY, reason="Chase")
        assert [b.pk for b in bf_due_for_user(user=cast.staff)] == [bf.pk]
        delegation_revoke(
            actor=cast.admin,
            delegation=Delegation.objects.get(staff=cast.staff, councillor=cast.owner),
        )
        assert not bf_due_for_user(user=cast.staff).exists()
        assert [b.pk for b in bf_due_for_user(user=cast.owner)] == [bf.pk]
        delegation_propose(actor=cast.owner, staff=cast.staff, councillor=cast.owner)
        assert [b.pk for b in bf_due_for_user(user=cast.staff)] == [bf.pk]


def test_dashboard_shows_due_today_and_overdue(cast, council_a):
    with in_council(council_a):
        with today_is(date(2026, 7, 29)):
            case = make_case(cast.owner)
            old = bf_add(actor=cast.owner, case=case, due_date=date(2026, 7, 29), reason="Old")
        with today_is(FRIDAY):
            now = bf_add(actor=cast.owner, case=case, due_date=FRIDAY, reason="Now")
            bf_add(actor=cast.owner, case=case, due_date=date(2026, 8, 5), reason="Later")
            due = dashboard_due_items(user=cast.owner)
    assert [b.pk for b in due.bfs_due_today] == [now.pk]
    assert [b.pk for b in due.bfs_overdue] == [old.pk]


def test_read_only_licence_refuses_bf_writes(cast, council_a):
    with in_council(council_a), today_is(FRIDAY):
        case = make_case(cast.owner)
        bf = bf_add(actor=cast.owner, case=case, due_date=FRIDAY, reason="Chase")
    Licence.objects.filter(council=council_a).update(state=LicenceState.LAPSED)
    with in_council(council_a), today_is(FRIDAY):
        with pytest.raises(StateError):
            bf_add(actor=cast.owner, case=case, due_date=FRIDAY, reason="Chase")
        with pytest.raises(StateError):
            bf_complete(actor=cast.owner, bf=bf)
        assert BF.objects.filter(done=False).count() == 1


def test_bf_changes_are_written_to_the_case_history(cast, council_a):
    with in_council(council_a), today_is(FRIDAY):
        case = make_case(cast.owner)
        updated_at = case.updated_at
        bf = bf_add(actor=cast.staff, case=case, due_date=FRIDAY, reason="Chase the repair")
        bf_snooze(actor=cast.owner, bf=bf, working_days=1)
        bf_reassign(actor=cast.owner, bf=bf, owner=cast.staff)
        bf_complete(actor=cast.staff, bf=bf, note="Fixed")
        entries = list(Action.objects.filter(case=case, kind="reminder").order_by("id"))
        case.refresh_from_db()
    assert [e.data["event"] for e in entries] == ["added", "snoozed", "reassigned", "completed"]
    assert all(e.data["bf"] == bf.pk for e in entries)
    # Snoozed from Friday past the Monday bank holiday to Tuesday.
    assert entries[1].text == "Reminder moved to 04 Aug 2026: Chase the repair"
    assert entries[2].text.startswith(f"Reminder given to {cast.staff.name or cast.staff.email}")
    assert entries[3].text == "Reminder done (Fixed): Chase the repair"
    # Staff acted for the councillor; the reader sees on whose behalf.
    assert entries[0].author_id == cast.staff.pk
    assert entries[0].on_behalf_of_id == cast.owner.pk
    # A reminder moved is not casework: the case does not jump up "recently updated".
    assert case.updated_at == updated_at

"""The licence state machine: allowed moves, refused moves, history, trial expiry, seat cap."""

from __future__ import annotations

from datetime import timedelta
from itertools import product

import pytest
from django.utils import timezone

from billing.models import ALLOWED_TRANSITIONS, Licence, LicenceState, LicenceTransition
from billing.services import (
    IllegalTransition,
    SeatCapReached,
    licence_expire_trials,
    licence_extend_trial,
    licence_lapse_overdue,
    licence_transition,
)
from core.errors import StateError, ValidationFailed
from tests.billing.conftest import set_state
from tests.conftest import in_council
from tests.factories import UserFactory

ALL = list(LicenceState.values)


def test_provisioning_starts_a_90_day_trial_with_10_seats(council_a) -> None:
    licence = Licence.objects.get(council=council_a)
    assert licence.state == LicenceState.TRIAL
    assert licence.seats == 10
    days = (licence.trial_ends_at - licence.created_at).total_seconds() / 86400
    assert 89.99 < days < 90.01
    first = licence.transitions.get()
    assert (first.from_state, first.to_state, first.actor) == ("", "trial", "tests")


@pytest.mark.parametrize(("from_state", "to_state"), list(product(ALL, ALL)))
def test_every_pair_of_states_is_allowed_or_refused_by_the_table(
    council_a, from_state, to_state
) -> None:
    licence = set_state(council_a, from_state)
    before = LicenceTransition.objects.filter(licence=licence).count()
    if to_state in ALLOWED_TRANSITIONS[from_state]:
        transition = licence_transition(
            licence=licence, to_state=to_state, actor="tester", reason="because"
        )
        assert licence.state == to_state
        assert (transition.from_state, transition.to_state) == (from_state, to_state)
        assert (transition.actor, transition.reason) == ("tester", "because")
    else:
        with pytest.raises(IllegalTransition) as caught:
            licence_transition(licence=licence, to_state=to_state, actor="tester", reason="x")
        # The message names both states so the caller knows exactly what was refused.
        assert f"'{from_state}'" in caught.value.message
        assert f"'{to_state}'" in caught.value.message
        assert caught.value.status_code == 422
        licence.refresh_from_db()
        assert licence.state == from_state
        assert LicenceTransition.objects.filter(licence=licence).count() == before


def test_cancelled_is_final_and_trial_cannot_skip_to_past_due(council_a) -> None:
    assert ALLOWED_TRANSITIONS[LicenceState.CANCELLED] == frozenset()
    assert LicenceState.PAST_DUE not in ALLOWED_TRANSITIONS[LicenceState.TRIAL]
    assert LicenceState.TRIAL not in ALLOWED_TRANSITIONS[LicenceState.ACTIVE]


def test_transition_needs_actor_and_reason_and_a_known_state(council_a) -> None:
    licence = Licence.objects.get(council=council_a)
    with pytest.raises(ValidationFailed, match="reason"):
        licence_transition(licence=licence, to_state="active", actor="x", reason=" ")
    with pytest.raises(ValidationFailed, match="actor"):
        licence_transition(licence=licence, to_state="active", actor="", reason="r")
    with pytest.raises(ValidationFailed, match="Unknown licence state"):
        licence_transition(licence=licence, to_state="gold", actor="x", reason="r")


def test_state_dates_follow_the_state(council_a) -> None:
    licence = set_state(council_a, LicenceState.ACTIVE)
    licence_transition(licence=licence, to_state="past_due", actor="stripe", reason="failed")
    assert licence.past_due_since is not None
    licence_transition(licence=licence, to_state="active", actor="stripe", reason="paid")
    assert licence.past_due_since is None
    licence_transition(
        licence=licence, to_state="cancelled", actor="central", reason="left", retention_days=30
    )
    assert licence.cancelled_at is not None
    assert (licence.retention_until - licence.cancelled_at).days == 30


def test_extend_trial_adds_days_records_the_reason_and_works_after_lapse(council_a) -> None:
    licence = Licence.objects.get(council=council_a)
    old_end = licence.trial_ends_at
    licence_extend_trial(licence=licence, days=30, actor="central a@b", reason="Budget cycle")
    assert licence.state == LicenceState.TRIAL_EXTENDED
    assert licence.trial_ends_at == old_end + timedelta(days=30)
    last = licence.transitions.last()
    assert last.actor == "central a@b" and "Budget cycle" in last.reason

    # A lapsed trial can be given more time; the new end counts from today.
    licence = set_state(
        council_a, LicenceState.LAPSED, trial_ends_at=timezone.now() - timedelta(days=5)
    )
    licence_extend_trial(licence=licence, days=10, actor="central", reason="Asked nicely")
    assert licence.state == LicenceState.TRIAL_EXTENDED
    assert licence.trial_ends_at > timezone.now() + timedelta(days=9)

    with pytest.raises(ValidationFailed):
        licence_extend_trial(licence=licence, days=0, actor="central", reason="x")
    with pytest.raises(ValidationFailed):
        licence_extend_trial(licence=licence, days=5, actor="central", reason="")


def test_a_paying_council_cannot_be_put_back_on_a_trial(council_a) -> None:
    licence = set_state(council_a, LicenceState.ACTIVE, stripe_subscription_id="sub_1")
    with pytest.raises(StateError):
        licence_extend_trial(licence=licence, days=5, actor="central", reason="x")


def test_expired_trials_lapse_once_and_others_are_left_alone(council_a, council_b) -> None:
    now = timezone.now()
    set_state(council_a, LicenceState.TRIAL, trial_ends_at=now - timedelta(minutes=1))
    set_state(council_b, LicenceState.TRIAL_EXTENDED, trial_ends_at=now + timedelta(days=1))
    moved = licence_expire_trials(now=now)
    assert moved == [Licence.objects.get(council=council_a).pk]
    assert Licence.objects.get(council=council_a).state == LicenceState.LAPSED
    assert Licence.objects.get(council=council_b).state == LicenceState.TRIAL_EXTENDED
    assert licence_expire_trials(now=now) == []  # idempotent
    last = Licence.objects.get(council=council_a).transitions.last()
    assert last.actor == "system" and "Trial ended" in last.reason


def test_past_due_lapses_only_after_the_grace_period(council_a, settings) -> None:
    settings.BILLING_PAST_DUE_GRACE_DAYS = 14
    now = timezone.now()
    set_state(council_a, LicenceState.PAST_DUE, past_due_since=now - timedelta(days=13))
    assert licence_lapse_overdue(now=now) == []
    Licence.objects.filter(council=council_a).update(past_due_since=now - timedelta(days=15))
    assert len(licence_lapse_overdue(now=now)) == 1
    assert Licence.objects.get(council=council_a).state == LicenceState.LAPSED


def test_seat_cap_is_enforced_when_a_councillor_is_added(council_a, council_b) -> None:
    Licence.objects.filter(council=council_a).update(seats=2)
    with in_council(council_a):
        UserFactory(role="councillor")
        UserFactory(role="councillor")
        UserFactory(role="staff")  # staff and admins do not use seats
        with pytest.raises(SeatCapReached) as caught:
            UserFactory(role="councillor")
        assert "2 councillor seats" in caught.value.message
    with in_council(council_b):  # B's cap is its own
        UserFactory(role="councillor")
        UserFactory(role="councillor")
        UserFactory(role="councillor")


def test_seat_cap_applies_to_create_member_too(council_a) -> None:
    from django.core.management import CommandError, call_command

    Licence.objects.filter(council=council_a).update(seats=1)
    call_command(
        "create_member",
        "council-a",
        email="c1@a.gov.uk",
        password="a-Good-pass-2026",
        role="councillor",
    )
    with pytest.raises(CommandError, match="All 1 councillor seats"):
        call_command(
            "create_member",
            "council-a",
            email="c2@a.gov.uk",
            password="a-Good-pass-2026",
            role="councillor",
        )

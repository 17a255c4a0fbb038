"""BF creation rules: on referral, on reply received, on a new case with no action."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from caseload.models import Case
from caseload.services import action_add, case_close, referral_create, referral_record_reply
from caseload.services.referrals import referral_extension_decide, referral_extension_request
from core.errors import StateError
from reminders.models import BF, BFRule
from reminders.services import (
    BFEvent,
    bf_add,
    bf_rule_create,
    bf_rule_update,
    bf_rules_apply,
    bf_rules_sweep_no_action,
)
from tests.conftest import in_council
from tests.reminders.conftest import make_case, make_officer, today_is


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def test_referral_makes_a_bf_on_the_officers_target_date(cast, council_a):
    with in_council(council_a):
        case = make_case(cast.owner)
        officer = make_officer(cast.admin)
        # Sent Wednesday 24 Dec 2025; 5 working days skip Christmas, Boxing Day, the weekend,
        # 1 and 2 January: 29, 30, 31 Dec, 5, 6 Jan.
        with today_is(date(2025, 12, 24)):
            referral = referral_create(
                actor=cast.staff,
                case=case,
                officer=officer,
                working_days=5,
                sent_at=_at(date(2025, 12, 24)),
            )
        assert referral.target_date == date(2026, 1, 6)
        bfs = list(BF.objects.filter(case=case).select_related("rule"))
    assert len(bfs) == 1
    bf = bfs[0]
    assert bf.due_date == date(2026, 1, 6)
    assert bf.owner_id == cast.owner.pk  # the case's councillor, even when staff referred
    assert bf.source == BF.Source.RULE and bf.referral_id == referral.pk
    assert bf.rule is not None and bf.rule.trigger == BFRule.Trigger.REFERRAL


def test_rules_are_idempotent_per_event(cast, council_a):
    with in_council(council_a):
        case = make_case(cast.owner)
        referral = referral_create(actor=cast.owner, case=case, officer=make_officer(cast.admin))
        bf_rules_apply(case=case, event=BFEvent.REFERRAL, referral=referral)  # a replay
        assert BF.objects.filter(case=case).count() == 1


def test_extra_rule_and_switched_off_rule(cast, council_a):
    with in_council(council_a):
        case = make_case(cast.owner)
        officer = make_officer(cast.admin)
        bf_rule_create(actor=cast.admin, trigger="referral", working_days=2, reason="Second chase")
        with today_is(date(2026, 7, 27)):
            referral = referral_create(
                actor=cast.owner,
                case=case,
                officer=officer,
                working_days=4,
                sent_at=_at(date(2026, 7, 27)),
            )
        assert referral.target_date == date(2026, 7, 31)
        dues = sorted(BF.objects.filter(case=case).values_list("due_date", "reason"))
        # Target Friday 31 July; 2 working days later skips the weekend and Scotland's
        # summer holiday (Monday 3 August).
        assert dues == [
            (date(2026, 7, 31), BFRule.objects.get(trigger="referral", working_days=0).reason),
            (date(2026, 8, 5), "Second chase"),
        ]
        for rule in BFRule.objects.filter(trigger="referral"):
            bf_rule_update(actor=cast.admin, rule=rule, is_active=False)
        other = make_case(cast.owner)
        referral_create(actor=cast.owner, case=other, officer=officer)
        assert not BF.objects.filter(case=other).exists()


def test_reply_completes_the_chaser_and_brings_forward_5_working_days_later(cast, council_a):
    with in_council(council_a):
        case = make_case(cast.owner)
        officer = make_officer(cast.admin)
        with today_is(date(2026, 3, 24)):
            referral = referral_create(
                actor=cast.owner, case=case, officer=officer, sent_at=_at(date(2026, 3, 24))
            )
        # Reply on Monday 30 March: 5 working days skip Good Friday (3 April) but not
        # Easter Monday (6 April), a working day in Scotland.
        referral_record_reply(
            actor=cast.staff, referral=referral, text="Fixed", replied_at=_at(date(2026, 3, 30))
        )
        chaser = BF.objects.get(case=case, rule__trigger="referral")
        follow_up = BF.objects.get(case=case, rule__trigger="reply_received")
    assert chaser.done and chaser.done_at is not None and "reply" in chaser.done_note
    assert follow_up.due_date == date(2026, 4, 7)
    assert not follow_up.done and follow_up.owner_id == cast.owner.pk


def test_more_time_moves_the_chaser(cast, council_a):
    with in_council(council_a):
        case = make_case(cast.owner)
        referral = referral_create(actor=cast.owner, case=case, officer=make_officer(cast.admin))
        new_target = timezone.localdate() + timedelta(days=30)
        extension = referral_extension_request(referral=referral, requested_date=new_target)
        # Asked, not yet agreed: the chaser keeps the original date.
        assert BF.objects.get(case=case).due_date == referral.original_target_date
        referral_extension_decide(actor=cast.owner, extension=extension, accept=True)
        assert BF.objects.get(case=case).due_date == new_target


def test_failed_referral_leaves_no_bf(cast, council_a):
    with in_council(council_a):
        case = make_case(cast.owner)
        case_close(actor=cast.owner, case=case, outcome=Case.Outcome.RESOLVED)
        with pytest.raises(StateError):
            referral_create(
                actor=cast.owner,
                case=Case.objects.get(pk=case.pk),
                officer=make_officer(cast.admin),
            )
        assert not BF.objects.filter(case=case).exists()


def test_new_case_with_no_action_after_5_working_days(cast, council_a):
    # Thursday 26 Feb 2026 + 5 working days = Thursday 5 March.
    opened = _at(date(2026, 2, 26))
    with in_council(council_a):
        quiet = make_case(cast.owner, opened_at=opened)
        # A reminder set on the case is not contact with the constituent.
        with today_is(date(2026, 2, 26)):
            bf_add(actor=cast.owner, case=quiet, due_date=date(2026, 3, 20), reason="Later")
        noted = make_case(cast.owner, opened_at=opened)
        action_add(actor=cast.owner, case=noted, kind="note", text="Called the constituent")
        referred = make_case(cast.owner, opened_at=opened)
        referral_create(actor=cast.owner, case=referred, officer=make_officer(cast.admin))
        young = make_case(cast.owner, opened_at=_at(date(2026, 2, 27)))
        ancient = make_case(cast.owner, opened_at=_at(date(2025, 6, 2)))

        assert bf_rules_sweep_no_action(today=date(2026, 3, 4)) == 0  # 4 working days old
        assert bf_rules_sweep_no_action(today=date(2026, 3, 5)) == 1
        assert bf_rules_sweep_no_action(today=date(2026, 3, 5)) == 0  # idempotent
        assert bf_rules_sweep_no_action(today=date(2026, 3, 6)) == 1  # the 27 Feb case
        made = {bf.case_id: bf for bf in BF.objects.filter(rule__trigger="no_action")}
    assert set(made) == {quiet.pk, young.pk}
    assert made[quiet.pk].due_date == date(2026, 3, 5)
    assert made[quiet.pk].owner_id == cast.owner.pk
    assert noted.pk not in made and referred.pk not in made and ancient.pk not in made

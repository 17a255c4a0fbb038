"""Forms that forgive: the BF form and the BF rules form sent twice (Back, then Submit)
make one BF or rule and say it was already made; another user's replay of a BF form's
token makes nothing and learns nothing (caseload.services.submit_once)."""

from __future__ import annotations

import pytest

from reminders.models import BF, BFRule
from tests.caseload.forgive_support import OnceForm, replayed_by_another, sent_twice
from tests.caseload.pages_support import client_for
from tests.conftest import in_council
from tests.reminders.conftest import make_case

pytestmark = pytest.mark.django_db


def _bf_form(cast, council) -> tuple[OnceForm, str]:
    with in_council(council):
        case = make_case(cast.owner)
    url = f"/cases/{case.pk}/bfs/new/"
    form = OnceForm(
        page=url,
        post=url,
        data=lambda: {
            "due_date_day": "17",
            "due_date_month": "3",
            "due_date_year": "2026",
            "reason": "Chase the roads team",
            "owner": cast.owner.pk,
        },
        count=lambda: BF.objects.filter(case=case, reason="Chase the roads team").count(),
        said=f"This BF was already created: {case.reference} brought forward to 17 March 2026",
    )
    return form, case.reference


def test_bf_form_sent_twice_makes_one_bf(cast, council_a, on_a_working_day) -> None:
    form, _ = _bf_form(cast, council_a)
    sent_twice(council_a, client_for(council_a, cast.owner), form)


def test_bf_rule_form_sent_twice_makes_one_rule(cast, council_a) -> None:
    form = OnceForm(
        page="/admin-area/bf-rules/",
        post="/admin-area/bf-rules/",
        data=lambda: {
            "trigger": "reply_received",
            "working_days": "7",
            "reason": "Check the reply was acted on",
        },
        count=lambda: BFRule.objects.filter(trigger="reply_received", working_days=7).count(),
        said="This BF rule was already created: ",
    )
    sent_twice(council_a, client_for(council_a, cast.admin), form)


def test_another_users_replay_of_a_bf_form_learns_nothing(
    cast, council_a, on_a_working_day
) -> None:
    form, _ = _bf_form(cast, council_a)
    replayed_by_another(
        council_a,
        client_for(council_a, cast.owner),
        client_for(council_a, cast.staff),  # acts for the owner: may add a BF to the case
        form,
        secret="brought forward to 17 March 2026",
    )

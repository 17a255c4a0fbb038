"""Forms that forgive, privacy's create forms: a legal hold, an erasure, a correction and a
subject access request sent twice (Back, then Submit) make one and say it was already made;
another user's replay of a token makes nothing and learns nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from caseload.models import Action
from privacy.models import Erasure, LegalHold, SubjectAccessRequest
from tests.caseload.conftest import make_case, make_constituent
from tests.caseload.forgive_support import OnceForm, replayed_by_another, sent_twice
from tests.caseload.pages_support import client_for
from tests.conftest import in_council

pytestmark = pytest.mark.django_db


def _forms(cast: Any, council: Any) -> dict[str, tuple[str, OnceForm]]:
    with in_council(council):
        person = make_constituent(cast.owner, name="Margaret Fairbairn", email="mf@example.com")
        case = make_case(cast.owner, constituent=person)
    today = timezone.localdate()
    return {
        "legal hold": (
            "admin",
            OnceForm(
                page="/admin-area/retention/",
                post="/admin-area/retention/holds/",
                data=lambda: {"case_reference": case.reference, "reason": "Ombudsman complaint"},
                count=lambda: LegalHold.objects.filter(case=case).count(),
                said=f"This legal hold was already created: {case.reference}",
            ),
        ),
        "erasure": (
            "owner",
            OnceForm(
                page=f"/constituents/{person.pk}/erase/",
                post=f"/constituents/{person.pk}/erase/",
                data=lambda: {"scope": "identity", "confirm": "on"},
                count=lambda: Erasure.objects.count(),
                said=f"This erasure was already created: their record (no. {person.pk})",
            ),
        ),
        "correction": (
            "owner",
            OnceForm(
                page=f"/constituents/{person.pk}/correct/",
                post=f"/constituents/{person.pk}/correct/",
                data=lambda: {
                    "field_name": "email",
                    "value": "m.fairbairn@example.org",
                    "everywhere": "note",
                },
                count=lambda: Action.objects.filter(data__corrected="email").count(),
                said=f"This correction was already created: their record (no. {person.pk})",
            ),
        ),
        "subject access request": (
            "owner",
            OnceForm(
                page="/subject-access/new/",
                post="/subject-access/new/",
                data=lambda: {
                    "councillor": cast.owner.pk,
                    "requester_name": "Angus Thomson",
                    "received_on_day": today.day,
                    "received_on_month": today.month,
                    "received_on_year": today.year,
                },
                count=lambda: SubjectAccessRequest.objects.count(),
                said="This request was already created: no. ",
            ),
        ),
    }


@pytest.mark.parametrize("name", ["legal hold", "erasure", "correction", "subject access request"])
def test_a_create_form_sent_twice_makes_one_and_says_so(cast, council_a, name) -> None:
    who, form = _forms(cast, council_a)[name]
    html = sent_twice(council_a, client_for(council_a, getattr(cast, who)), form)
    # What the token's record names is never the person (it outlives an erasure).
    assert "Margaret" not in html.split("already created", 1)[1].split("<", 1)[0]


def test_another_users_replay_of_a_request_form_learns_nothing(cast, council_a) -> None:
    _, form = _forms(cast, council_a)["subject access request"]
    replayed_by_another(
        council_a,
        client_for(council_a, cast.owner),
        client_for(council_a, cast.staff),  # acts for the owner: may record their requests
        form,
        secret="already created",
    )

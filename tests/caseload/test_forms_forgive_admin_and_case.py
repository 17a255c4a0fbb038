"""Forms that forgive, the rest of caseload's create forms: an action, a file or an
officer's reply added to a case, and the admin area's categories, wards, holidays and
delegations, and /delegations/. Each sent twice makes one and says it was already made
(not an error such as "that name is taken"); another user's replay of a token makes
nothing and learns nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from caseload.models import Action, Attachment, Category, CouncilHoliday, Delegation, Ward
from tests.caseload.forgive_support import OnceForm, replayed_by_another, sent_twice
from tests.caseload.pages_support import build_scene, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(cast, council_a):
    return build_scene(cast, council_a)


def _forms(cast: Any, scene: Any) -> dict[str, tuple[str, OnceForm]]:
    """(who sends it, the form) for each create form."""
    case = scene.case
    return {
        "action": (
            "owner",
            OnceForm(
                page=f"/cases/{case.pk}/actions/new/",
                post=f"/cases/{case.pk}/actions/new/",
                data=lambda: {"kind": "note", "text": "Spoke to the roads team"},
                count=lambda: Action.objects.filter(
                    case=case, text="Spoke to the roads team"
                ).count(),
                said="This action was already created: note of ",
            ),
        ),
        "file": (
            "owner",
            OnceForm(
                page=f"/cases/{case.pk}/",  # the case page's own upload form
                post=f"/cases/{case.pk}/attachments/",
                data=lambda: {
                    "file": SimpleUploadedFile(
                        "survey.txt", b"Survey booked.\n", content_type="text/plain"
                    )
                },
                count=lambda: Attachment.objects.filter(case=case).count(),
                said="This file was already created: uploaded at ",
            ),
        ),
        "reply": (
            "owner",
            OnceForm(
                page=f"/cases/{case.pk}/referrals/{scene.referral.pk}/reply/",
                post=f"/cases/{case.pk}/referrals/{scene.referral.pk}/reply/",
                data=lambda: {"text": "Filled on Tuesday."},
                count=lambda: Action.objects.filter(case=case, kind="officer_reply").count(),
                said="This reply was already created: from Iain Roads on ",
            ),
        ),
        "category": (
            "admin",
            OnceForm(
                page="/admin-area/categories/",
                post="/admin-area/categories/",
                data=lambda: {"name": "Parking", "description": ""},
                count=lambda: Category.objects.filter(name="Parking").count(),
                said="This category was already created: Parking",
            ),
        ),
        "ward": (
            "admin",
            OnceForm(
                page="/admin-area/wards/",
                post="/admin-area/wards/",
                data=lambda: {"name": "East", "code": ""},
                count=lambda: Ward.objects.filter(name="East").count(),
                said="This ward was already created: East",
            ),
        ),
        "holiday": (
            "admin",
            OnceForm(
                page="/admin-area/holidays/",
                post="/admin-area/holidays/",
                data=lambda: {
                    "day_day": "15",
                    "day_month": "1",
                    "day_year": "2027",
                    "name": "Local January holiday",
                },
                count=lambda: CouncilHoliday.objects.filter(name="Local January holiday").count(),
                said="This holiday was already created: 15 January 2027, Local January holiday",
            ),
        ),
        "admin delegation": (
            "admin",
            OnceForm(
                page="/admin-area/delegations/",
                post="/admin-area/delegations/",
                data=lambda: {"staff": cast.other_staff.pk, "councillor": cast.other_councillor.pk},
                count=lambda: Delegation.objects.filter(
                    staff=cast.other_staff, councillor=cast.other_councillor
                ).count(),
                said="This delegation was already created: ",
            ),
        ),
        "own delegation": (
            "owner",
            OnceForm(
                page="/delegations/",
                post="/delegations/",
                data=lambda: {"staff": cast.other_staff.pk},
                count=lambda: Delegation.objects.filter(
                    staff=cast.other_staff, councillor=cast.owner
                ).count(),
                said="This delegation was already created: ",
            ),
        ),
    }


FORMS = [
    "action",
    "file",
    "reply",
    "category",
    "ward",
    "holiday",
    "admin delegation",
    "own delegation",
]


@pytest.mark.parametrize("name", FORMS)
def test_a_create_form_sent_twice_makes_one_and_says_so(cast, scene, council_a, name) -> None:
    who, form = _forms(cast, scene)[name]
    sent_twice(council_a, client_for(council_a, getattr(cast, who)), form)


def test_another_users_replay_of_an_action_form_learns_nothing(cast, scene, council_a) -> None:
    _, form = _forms(cast, scene)["action"]
    replayed_by_another(
        council_a,
        client_for(council_a, cast.owner),
        client_for(council_a, cast.staff),  # acts for the owner: may add to the case
        form,
        secret="already created",
    )


def test_another_admins_replay_of_a_category_form_learns_nothing(
    cast, scene, council_a, make_user
) -> None:
    second = make_user(council_a, role="admin", email="admin2@a.gov.uk")
    _, form = _forms(cast, scene)["category"]
    replayed_by_another(
        council_a,
        client_for(council_a, cast.admin),
        client_for(council_a, second),
        form,
        secret="already created",
    )

"""Delegation emails: the councillor is emailed each proposal (who proposed it, for whom, a
link to answer it on /delegations/), and the proposer is emailed the answer; a refused
proposal queues nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from caseload.models import Delegation
from caseload.services import (
    delegation_confirm,
    delegation_decline,
    delegation_propose,
)
from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.links import council_url
from mailer.models import OutboundEmail
from tests.conftest import force_sign_in, host_for, in_council

pytestmark = pytest.mark.django_db


def _emails(council, kind: str | None = None) -> list[OutboundEmail]:
    with in_council(council):
        rows = OutboundEmail.objects.filter(kind__startswith="delegation_").order_by("id")
        if kind:
            rows = rows.filter(kind=kind)
        return list(rows)


def test_an_admins_proposal_emails_the_councillor_with_a_link_to_answer_it(cast, council_a):
    with in_council(council_a):
        delegation_propose(
            actor=cast.admin, staff=cast.other_staff, councillor=cast.other_councillor
        )
    [email] = _emails(council_a)
    assert email.kind == "delegation_proposed"
    assert email.to == [cast.other_councillor.email]
    assert cast.other_staff.name in email.subject
    assert f"{cast.admin.name} (an administrator) proposed that {cast.other_staff.name}" in (
        email.body_text
    )
    assert council_url(slug=council_a.slug, path="/delegations/") in email.body_text
    assert "gives them nothing until you confirm it" in email.body_text


def test_a_staff_members_own_proposal_says_so_and_the_answer_reaches_them(cast, council_a):
    with in_council(council_a):
        proposal = delegation_propose(
            actor=cast.other_staff, staff=cast.other_staff, councillor=cast.other_councillor
        )
        delegation_confirm(actor=cast.other_councillor, delegation=proposal)
        delegation_confirm(actor=cast.other_councillor, delegation=proposal)  # a double click
    proposed, confirmed = _emails(council_a)
    assert proposed.to == [cast.other_councillor.email]
    assert f"{cast.other_staff.name}, for themselves, proposed" in proposed.body_text
    assert confirmed.kind == "delegation_confirmed"
    assert confirmed.to == [cast.other_staff.email]
    assert f"{cast.other_councillor.name} confirmed your proposal" in confirmed.body_text
    assert council_url(slug=council_a.slug, path="/delegations/") in confirmed.body_text


def test_a_declined_proposal_is_reported_to_the_admin_who_made_it(cast, council_a):
    with in_council(council_a):
        proposal = delegation_propose(
            actor=cast.admin, staff=cast.other_staff, councillor=cast.other_councillor
        )
        delegation_decline(actor=cast.other_councillor, delegation=proposal)
    [declined] = _emails(council_a, "delegation_declined")
    assert declined.to == [cast.admin.email]
    assert f"{cast.other_councillor.name} declined your proposal" in declined.body_text
    assert council_url(slug=council_a.slug, path="/admin-area/delegations/") in (declined.body_text)
    # The councillor had nothing to answer to anyone else: two emails in all.
    assert len(_emails(council_a)) == 2


def test_a_councillor_granting_directly_is_emailed_nothing(cast, council_a):
    with in_council(council_a):
        delegation_propose(
            actor=cast.other_councillor, staff=cast.other_staff, councillor=cast.other_councillor
        )
    assert _emails(council_a) == []


def test_nothing_is_queued_when_the_proposal_is_refused(cast, council_a, make_user):
    inactive = make_user(council_a, role="staff", email="gone@a.gov.uk")
    with in_council(council_a):
        User.objects.filter(pk=inactive.pk).update(is_active=False)
        inactive.refresh_from_db()
        with pytest.raises(PermissionDenied):  # staff may propose only themselves
            delegation_propose(
                actor=cast.other_staff, staff=cast.staff, councillor=cast.other_councillor
            )
        with pytest.raises(ValidationFailed):  # not active staff
            delegation_propose(actor=cast.admin, staff=inactive, councillor=cast.other_councillor)
        delegation_propose(
            actor=cast.admin, staff=cast.other_staff, councillor=cast.other_councillor
        )
        with pytest.raises(Conflict):  # already proposed
            delegation_propose(
                actor=cast.admin, staff=cast.other_staff, councillor=cast.other_councillor
            )
        with pytest.raises(PermissionDenied):  # only the councillor answers
            delegation_confirm(
                actor=cast.admin, delegation=Delegation.objects.get(staff=cast.other_staff)
            )
    assert [e.kind for e in _emails(council_a)] == ["delegation_proposed"]


def test_through_the_api_and_the_page(cast, council_a, api_for):
    admin = api_for(council_a, cast.admin)
    made = admin.post(
        "/api/v1/delegations/",
        {"staff": cast.other_staff.pk, "councillor": cast.other_councillor.pk},
        format="json",
    )
    assert made.status_code == 201
    [proposed] = _emails(council_a)
    assert proposed.to == [cast.other_councillor.email]
    refused = admin.post(
        "/api/v1/delegations/",
        {"staff": cast.other_staff.pk, "councillor": cast.other_councillor.pk},
        format="json",
    )
    assert refused.status_code == 409
    assert len(_emails(council_a)) == 1

    # The councillor follows the link and confirms on the page.
    client = Client(HTTP_HOST=host_for(council_a))
    force_sign_in(client, council_a, cast.other_councillor)
    assert client.get("/delegations/").status_code == 200
    answered = client.post(f"/delegations/{made.json()['id']}/confirm/")
    assert answered.status_code == 302
    confirmed = _emails(council_a, "delegation_confirmed")
    assert [e.to for e in confirmed] == [[cast.admin.email]]

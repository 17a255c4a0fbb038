"""Delegation by consent (issue 14): a delegation is the councillor's to give.

An admin (or the staff member) may only propose one, and a proposal gives no access to
anything until the councillor confirms it; the councillor confirms or declines on
/delegations/ or through the API, and every step is in the audit log.
"""

from __future__ import annotations

import pytest
from django.test import Client

from audit.models import AuditEntry
from caseload.models import Case, Delegation
from caseload.selectors.access import case_visible_q
from caseload.services import (
    delegation_confirm,
    delegation_decline,
    delegation_propose,
    delegation_revoke,
)
from core.errors import Conflict, PermissionDenied
from tests.caseload.conftest import make_case
from tests.conftest import force_sign_in, host_for, in_council

pytestmark = pytest.mark.django_db


def _visible(user, case: Case) -> bool:
    return Case.objects.filter(case_visible_q(user), pk=case.pk).exists()


def test_an_admin_alone_cannot_give_a_staff_account_access_to_a_private_case(
    cast, council_a, api_for, make_user
):
    # The attack of issue 14: an admin makes a staff account with a password of their
    # choosing and delegates a councillor to it.
    planted = make_user(council_a, role="staff", email="planted@a.gov.uk")
    with in_council(council_a):
        case = make_case(cast.owner, title="Private housing matter")
    admin = api_for(council_a, cast.admin)
    made = admin.post(
        "/api/v1/delegations/",
        {"staff": planted.pk, "councillor": cast.owner.pk},
        format="json",
    )
    assert made.status_code == 201
    assert made.json()["status"] == "proposed"
    assert made.json()["confirmed_at"] is None

    as_planted = api_for(council_a, planted)
    assert as_planted.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert as_planted.get("/api/v1/cases/").json()["results"] == []
    # Nor can the admin confirm their own proposal.
    confirm = admin.post(f"/api/v1/delegations/{made.json()['id']}/confirm/")
    assert confirm.status_code == 403
    assert as_planted.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    # Only the councillor's confirmation opens the case to the staff member.
    owner = api_for(council_a, cast.owner)
    confirmed = owner.post(f"/api/v1/delegations/{made.json()['id']}/confirm/")
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "active"
    assert as_planted.get(f"/api/v1/cases/{case.pk}/").status_code == 200


def test_the_staff_member_can_propose_only_for_themselves(cast, council_a):
    with in_council(council_a):
        delegation = delegation_propose(
            actor=cast.other_staff, staff=cast.other_staff, councillor=cast.owner
        )
        assert delegation.confirmed_at is None
        with pytest.raises(PermissionDenied):
            delegation_propose(
                actor=cast.other_staff, staff=cast.staff, councillor=cast.other_councillor
            )
        # A councillor cannot give away a colleague's cases either.
        with pytest.raises(PermissionDenied):
            delegation_propose(
                actor=cast.ward_colleague, staff=cast.other_staff, councillor=cast.other_councillor
            )


def test_pending_proposals_grant_nothing_anywhere(cast, council_a):
    """Every access rule (cases, changing them, acting for) ignores proposals."""
    from caseload.selectors.access import acting_for_ids, case_can_change

    with in_council(council_a):
        case = make_case(cast.other_councillor, title="Parks")
        delegation_propose(
            actor=cast.admin, staff=cast.other_staff, councillor=cast.other_councillor
        )
        assert not _visible(cast.other_staff, case)
        assert not case_can_change(cast.other_staff, case)
        assert acting_for_ids(cast.other_staff) == []


def test_the_councillor_declines_and_nothing_is_granted(cast, council_a):
    with in_council(council_a):
        proposal = delegation_propose(
            actor=cast.admin, staff=cast.other_staff, councillor=cast.other_councillor
        )
        with pytest.raises(PermissionDenied):
            delegation_decline(actor=cast.owner, delegation=proposal)  # not theirs
        delegation_decline(actor=cast.other_councillor, delegation=proposal)
        assert not Delegation.objects.filter(pk=proposal.pk).exists()
        kinds = list(
            AuditEntry.objects.filter(detail__delegation_id=proposal.pk)
            .order_by("id")
            .values_list("action", flat=True)
        )
        assert kinds == ["delegation_requested", "delegation_declined"]


def test_confirming_twice_changes_nothing_and_a_duplicate_proposal_conflicts(cast, council_a):
    with in_council(council_a):
        proposal = delegation_propose(
            actor=cast.admin, staff=cast.other_staff, councillor=cast.other_councillor
        )
        with pytest.raises(Conflict):
            delegation_propose(
                actor=cast.admin, staff=cast.other_staff, councillor=cast.other_councillor
            )
        first = delegation_confirm(actor=cast.other_councillor, delegation=proposal)
        again = delegation_confirm(actor=cast.other_councillor, delegation=proposal)
        assert first.confirmed_at == again.confirmed_at
        assert (
            AuditEntry.objects.filter(
                detail__delegation_id=proposal.pk, action="delegation_granted"
            ).count()
            == 1
        )


def test_granting_directly_is_in_force_at_once_and_revoking_is_audited(cast, council_a):
    with in_council(council_a):
        case = make_case(cast.other_councillor, title="Roads")
        delegation = delegation_propose(
            actor=cast.other_councillor, staff=cast.other_staff, councillor=cast.other_councillor
        )
        assert delegation.confirmed_at is not None
        assert _visible(cast.other_staff, case)
        delegation_revoke(actor=cast.other_councillor, delegation=delegation)
        assert not _visible(cast.other_staff, case)
        entry = AuditEntry.objects.get(action="delegation_revoked")
        assert entry.subject_user_id == cast.other_staff.pk
        assert entry.actor_id == cast.other_councillor.pk


def test_api_confirm_and_decline_are_for_the_councillor_and_hide_others(cast, council_a, api_for):
    with in_council(council_a):
        proposal = delegation_propose(
            actor=cast.admin, staff=cast.other_staff, councillor=cast.other_councillor
        )
    # Someone not party to it: 404, so its existence does not leak.
    stranger = api_for(council_a, cast.ward_colleague)
    assert stranger.post(f"/api/v1/delegations/{proposal.pk}/confirm/").status_code == 404
    assert stranger.post(f"/api/v1/delegations/{proposal.pk}/decline/").status_code == 404
    # The staff member sees it but cannot confirm it.
    staff = api_for(council_a, cast.other_staff)
    listed = staff.get("/api/v1/delegations/").json()["results"]
    assert [(d["id"], d["status"]) for d in listed] == [(proposal.pk, "proposed")]
    assert staff.post(f"/api/v1/delegations/{proposal.pk}/confirm/").status_code == 403
    councillor = api_for(council_a, cast.other_councillor)
    assert councillor.post(f"/api/v1/delegations/{proposal.pk}/decline/").status_code == 204
    assert councillor.post(f"/api/v1/delegations/{proposal.pk}/decline/").status_code == 404


def test_the_councillor_confirms_and_declines_on_the_page(cast, council_a):
    with in_council(council_a):
        first = delegation_propose(actor=cast.admin, staff=cast.other_staff, councillor=cast.owner)
        second = delegation_propose(
            actor=cast.admin, staff=cast.staff, councillor=cast.other_councillor
        )
    client = Client(HTTP_HOST=host_for(council_a))
    force_sign_in(client, council_a, cast.owner)
    page = client.get("/delegations/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Waiting for your answer" in body
    assert f"/delegations/{first.pk}/confirm/" in body
    assert f"/delegations/{second.pk}/" not in body  # another councillor's proposal
    done = client.post(f"/delegations/{first.pk}/confirm/", follow=True)
    assert "now acts for you" in done.content.decode()
    # Another councillor's proposal is a 404 to this one.
    assert client.post(f"/delegations/{second.pk}/confirm/").status_code == 404
    with in_council(council_a):
        assert Delegation.objects.get(pk=first.pk).confirmed_at is not None
        assert Delegation.objects.get(pk=second.pk).confirmed_at is None


def test_the_admin_page_only_proposes(cast, council_a):
    client = Client(HTTP_HOST=host_for(council_a))
    force_sign_in(client, council_a, cast.admin)
    response = client.post(
        "/admin-area/delegations/",
        {"staff": cast.other_staff.pk, "councillor": cast.owner.pk},
        follow=True,
    )
    assert "once" in response.content.decode() and "confirms it" in response.content.decode()
    with in_council(council_a):
        row = Delegation.objects.get(staff=cast.other_staff, councillor=cast.owner)
        assert row.confirmed_at is None
        assert acting_for(cast.other_staff) == []


def acting_for(user) -> list[int]:
    from caseload.selectors.access import acting_for_ids

    return acting_for_ids(user)

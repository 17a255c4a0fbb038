"""Rules that used to live in a form or a view now live in services, so every way in (web,
API, command) obeys them: only councillors have a ward; editing a constituent into someone
already known warns, as adding one does. Two councils and an outsider, as everywhere."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from accounts.services import user_create
from caseload.models import Ward
from caseload.services import member_add
from core.errors import PermissionDenied, ValidationFailed
from tests.caseload.conftest import make_constituent
from tests.caseload.pages_support import client_for
from tests.caseload.test_pages_forms import assert_error_page
from tests.conftest import in_council

pytestmark = pytest.mark.django_db


def test_only_councillors_have_a_ward_wherever_the_user_is_made(cast, council_a) -> None:
    with in_council(council_a):
        for role in ("staff", "admin"):
            with pytest.raises(ValidationFailed) as refused:
                user_create(email=f"{role}-w@a.gov.uk", role=role, ward="North")
            assert refused.value.extra == {"ward": ["Only councillors have a ward"]}
        assert user_create(email="cllr-w@a.gov.uk", role="councillor", ward="North").ward
        assert not User.objects.filter(email__in=["staff-w@a.gov.uk", "admin-w@a.gov.uk"])
    with pytest.raises(CommandError, match="Only councillors have a ward"):
        call_command(
            "create_member",
            "council-a",
            email="cmd-staff@a.gov.uk",
            password="a-Good-pass-2026",
            role="staff",
            ward="North",
        )
    client = client_for(council_a, cast.admin)
    with in_council(council_a):
        ward = Ward.objects.get(name="North")
    page = client.post(
        "/admin-area/users/new/",
        {
            "name": "Staff With Ward",
            "email": "web-staff@a.gov.uk",
            "role": "staff",
            "ward": ward.pk,
            "password": "a-Good-pass-2026",
        },
    )
    assert "Only councillors have a ward" in assert_error_page(page, "ward")
    with in_council(council_a):
        assert not User.objects.filter(email="web-staff@a.gov.uk").exists()


def test_only_a_council_admin_adds_members(cast, council_a, council_b) -> None:
    with in_council(council_a):
        for actor in (cast.owner, cast.staff):
            with pytest.raises(PermissionDenied):
                member_add(actor=actor, email="nope@a.gov.uk", role="staff")
        added = member_add(actor=cast.admin, email="yes@a.gov.uk", role="staff")
        assert added.role == "staff"
    with in_council(council_b):
        # An admin of council A is nobody in council B (their user row is A's).
        assert not User.objects.filter(email="yes@a.gov.uk").exists()


def test_editing_a_constituent_into_someone_known_warns_in_the_api_too(
    cast, council_a, council_b, api_for
) -> None:
    with in_council(council_a):
        known = make_constituent(cast.owner, name="Morag Known", postcode="KY1 2BB")
        other = make_constituent(cast.owner, name="Someone Else", postcode="KY9 9ZZ")
    api = api_for(council_a, cast.owner)
    path = f"/api/v1/constituents/{other.pk}/"
    clash = api.patch(path, {"name": "Morag Known", "postcode": "KY1 2BB"}, format="json")
    assert clash.status_code == 409, clash.content
    assert [d["id"] for d in clash.json()["error"]["fields"]["duplicates"]] == [known.pk]
    assert api.get(path).json()["name"] == "Someone Else"  # nothing saved
    # Saying it is a different person saves it; a change that identifies no one is no clash.
    confirmed = api.patch(
        path,
        {"name": "Morag Known", "postcode": "KY1 2BB", "allow_duplicate": True},
        format="json",
    )
    assert confirmed.status_code == 200 and confirmed.json()["name"] == "Morag Known"
    assert api.patch(path, {"notes": "Prefers mornings"}, format="json").status_code == 200
    # Another council's councillor cannot reach either record.
    outsider = api_for(council_b, cast.outsider)
    assert outsider.patch(path, {"name": "X"}, format="json").status_code == 404

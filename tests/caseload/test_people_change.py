"""People change: admins edit a user's name, email, role and ward (web and API) under the
licence's seat cap and the ward rule; role changes are audited; a deactivated user who
knows their password is told the account is deactivated and whom to ask."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from audit.models import AuditAction, AuditEntry
from billing.models import Licence
from tests.caseload.pages_support import client_for
from tests.conftest import in_council
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def _get(council, user: User) -> User:
    with in_council(council):
        return User.objects.get(pk=user.pk)


def _councillors(council) -> int:
    with in_council(council):
        return User.objects.filter(role="councillor", is_active=True).count()


def test_admin_changes_a_councillors_name_email_and_ward_on_the_web(cast, council_a) -> None:
    admin = client_for(council_a, cast.admin)
    assert f"/admin-area/users/{cast.owner.pk}/" in admin.get("/admin-area/users/").content.decode()
    page = admin.get(f"/admin-area/users/{cast.owner.pk}/")
    assert page.status_code == 200 and cast.owner.email in page.content.decode()
    response = admin.post(
        f"/admin-area/users/{cast.owner.pk}/",
        {
            "name": "Cllr Ailsa Grant",
            "email": "Ailsa.Grant@A.gov.uk",
            "role": "councillor",
            "ward": cast.south.pk,
        },
    )
    assert response.status_code == 302 and response["Location"] == "/admin-area/users/"
    changed = _get(council_a, cast.owner)
    assert (changed.name, changed.email, changed.ward) == (
        "Cllr Ailsa Grant",
        "ailsa.grant@a.gov.uk",
        "South",
    )
    with in_council(council_a):
        # Not a role change: nothing for ROLE_CHANGED.
        assert not AuditEntry.objects.filter(action=AuditAction.ROLE_CHANGED).exists()


def test_a_councillor_must_have_one_of_the_councils_wards(cast, council_a, api_for) -> None:
    admin = client_for(council_a, cast.admin)
    refused = admin.post(
        f"/admin-area/users/{cast.owner.pk}/",
        {"name": "X", "email": cast.owner.email, "role": "councillor", "ward": ""},
    )
    assert refused.status_code == 400 and "must have a ward" in refused.content.decode()
    assert _get(council_a, cast.owner).ward == "North"
    # At invitation too.
    invited = admin.post(
        "/admin-area/users/new/",
        {
            "name": "New Cllr",
            "email": "new@a.gov.uk",
            "role": "councillor",
            "ward": "",
            "password": "A-long-pass-phrase-9",
        },
    )
    assert invited.status_code == 200 and "must have a ward" in invited.content.decode()
    with in_council(council_a):
        assert not User.objects.filter(email="new@a.gov.uk").exists()
    # The API: a ward the council does not have, or none.
    api = api_for(council_a, cast.admin)
    bad = api.patch(f"/api/v1/users/{cast.owner.pk}/", {"ward": "Atlantis"}, format="json")
    assert bad.status_code == 400 and "Atlantis" in bad.json()["error"]["message"]
    none = api.patch(f"/api/v1/users/{cast.owner.pk}/", {"ward": ""}, format="json")
    assert none.status_code == 400
    assert _get(council_a, cast.owner).ward == "North"


def test_role_change_to_councillor_takes_a_seat_and_is_audited(cast, council_a, api_for) -> None:
    api = api_for(council_a, cast.admin)
    Licence.objects.filter(council=council_a).update(seats=_councillors(council_a))
    full = api.patch(
        f"/api/v1/users/{cast.other_staff.pk}/",
        {"role": "councillor", "ward": "North"},
        format="json",
    )
    assert full.status_code in (409, 422) and full.json()["error"]["code"] == "seat_cap_reached"
    assert _get(council_a, cast.other_staff).role == "staff"
    # The web form says so beside the role.
    web = client_for(council_a, cast.admin).post(
        f"/admin-area/users/{cast.other_staff.pk}/",
        {
            "name": cast.other_staff.name,
            "email": cast.other_staff.email,
            "role": "councillor",
            "ward": cast.north.pk,
        },
    )
    assert web.status_code == 400 and "seat" in web.content.decode()

    Licence.objects.filter(council=council_a).update(seats=_councillors(council_a) + 1)
    done = api.patch(
        f"/api/v1/users/{cast.other_staff.pk}/",
        {"role": "councillor", "ward": "North"},
        format="json",
    )
    assert done.status_code == 200, done.content
    assert (done.json()["role"], done.json()["ward"]) == ("councillor", "North")
    with in_council(council_a):
        entry = AuditEntry.objects.get(action=AuditAction.ROLE_CHANGED)
        assert entry.detail["from"] == "staff" and entry.detail["to"] == "councillor"
        assert entry.actor_id == cast.admin.pk

    # Back to staff: the ward goes with the role (a ward is for councillors only).
    back = api.patch(f"/api/v1/users/{cast.other_staff.pk}/", {"role": "staff"}, format="json")
    assert back.status_code == 200 and back.json()["ward"] == ""


def test_only_admins_edit_users_and_not_their_own_role(cast, council_a, council_b, api_for) -> None:
    path = f"/admin-area/users/{cast.staff.pk}/"
    for user in (cast.owner, cast.staff):
        assert client_for(council_a, user).get(path).status_code == 403
        assert client_for(council_a, user).post(path, {"name": "Hacked"}).status_code == 403
        api = api_for(council_a, user)
        assert api.patch(f"/api/v1/users/{cast.staff.pk}/", {"name": "X"}).status_code == 403
    assert client_for(council_a, None).get(path)["Location"].startswith("/login/")
    assert api_for(council_a).patch(f"/api/v1/users/{cast.staff.pk}/", {}).status_code == 401
    # Another council's admin cannot reach council A's user ids.
    outsider = api_for(council_b, cast.outsider)
    assert outsider.patch(f"/api/v1/users/{cast.staff.pk}/", {"name": "X"}).status_code in (
        403,
        404,
    )
    assert _get(council_a, cast.staff).name != "Hacked"
    own = api_for(council_a, cast.admin).patch(
        f"/api/v1/users/{cast.admin.pk}/", {"role": "staff"}, format="json"
    )
    assert own.status_code == 400 and "own role" in own.json()["error"]["message"]
    taken = api_for(council_a, cast.admin).patch(
        f"/api/v1/users/{cast.staff.pk}/", {"email": cast.owner.email}, format="json"
    )
    assert taken.status_code == 400 and "already exists" in taken.json()["error"]["message"]


def test_deactivated_user_is_told_so_only_with_the_right_password(cast, council_a) -> None:
    client_for(council_a, cast.admin).post(f"/admin-area/users/{cast.staff.pk}/access/")
    web = Client(HTTP_HOST="council-a.localhost")
    wrong = web.post("/login/", {"username": cast.staff.email, "password": "not-it-at-all"})
    assert "deactivated" not in wrong.content.decode()
    assert "email address or password is wrong" in wrong.content.decode()
    right = web.post("/login/", {"username": cast.staff.email, "password": DEFAULT_PASSWORD})
    page = right.content.decode()
    assert right.status_code == 200 and "Your account is deactivated" in page
    assert cast.admin.email in page  # whom to ask
    assert "_auth_user_id" not in web.session

    api = Client(HTTP_HOST="council-a.localhost")
    token = api.post(
        "/api/v1/auth/token/",
        {"email": cast.staff.email, "password": DEFAULT_PASSWORD},
        content_type="application/json",
    )
    assert token.status_code == 403
    assert token.json()["error"]["code"] == "account_deactivated"
    guess = api.post(
        "/api/v1/auth/token/",
        {"email": cast.staff.email, "password": "not-it-at-all"},
        content_type="application/json",
    )
    assert guess.status_code == 400 and guess.json()["error"]["code"] == "invalid_credentials"

"""Council admins deactivate and reactivate users (web and API): a councillor who leaves
office stops signing in, keeps their cases and frees their seat."""

from __future__ import annotations

import pytest

from accounts.models import User
from billing.models import Licence, LicenceState
from caseload.models import Case
from tests.caseload.conftest import make_case
from tests.caseload.pages_support import client_for
from tests.conftest import in_council

pytestmark = pytest.mark.django_db


def _active(council, user: User) -> bool:
    with in_council(council):
        return User.objects.get(pk=user.pk).is_active


def test_admin_deactivates_a_councillor_on_the_web(cast, council_a, api_for) -> None:
    with in_council(council_a):
        case = make_case(cast.other_councillor)
    leaver_api = api_for(council_a, cast.other_councillor)
    leaver_web = client_for(council_a, cast.other_councillor)
    assert leaver_web.get("/cases/").status_code == 200
    admin = client_for(council_a, cast.admin)
    users_page = admin.get("/admin-area/users/").content.decode()
    assert f"/admin-area/users/{cast.other_councillor.pk}/access/" in users_page
    page = admin.get(f"/admin-area/users/{cast.other_councillor.pk}/access/")
    assert page.status_code == 200 and "Their cases, history and constituents are kept" in (
        page.content.decode()
    )

    response = admin.post(f"/admin-area/users/{cast.other_councillor.pk}/access/")
    assert response.status_code == 302 and response["Location"] == "/admin-area/users/"
    assert not _active(council_a, cast.other_councillor)
    # Signed out everywhere: the token is revoked, the session no longer authenticates.
    assert leaver_api.get("/api/v1/me/").status_code == 401
    assert leaver_web.get("/cases/")["Location"].startswith("/login/")
    # Nothing of theirs is gone.
    with in_council(council_a):
        assert Case.objects.filter(pk=case.pk, owner=cast.other_councillor).exists()

    # Back again.
    assert admin.post(f"/admin-area/users/{cast.other_councillor.pk}/access/").status_code == 302
    assert _active(council_a, cast.other_councillor)


def test_reactivating_a_councillor_needs_a_free_seat(cast, council_a) -> None:
    admin = client_for(council_a, cast.admin)
    admin.post(f"/admin-area/users/{cast.other_councillor.pk}/access/")
    with in_council(council_a):
        used = User.objects.filter(role="councillor", is_active=True).count()
    Licence.objects.filter(council=council_a).update(seats=used)
    refused = admin.post(f"/admin-area/users/{cast.other_councillor.pk}/access/")
    assert refused.status_code == 400
    assert "seats" in refused.content.decode()
    assert not _active(council_a, cast.other_councillor)
    # Deactivating a councillor frees the seat it takes.
    admin.post(f"/admin-area/users/{cast.ward_colleague.pk}/access/")
    assert admin.post(f"/admin-area/users/{cast.other_councillor.pk}/access/").status_code == 302
    assert _active(council_a, cast.other_councillor)


def test_only_the_councils_admins_may_and_not_on_themselves(cast, council_a, council_b) -> None:
    path = f"/admin-area/users/{cast.staff.pk}/access/"
    for user in (cast.owner, cast.staff):
        assert client_for(council_a, user).post(path).status_code == 403
    assert client_for(council_a, None).post(path)["Location"].startswith("/login/")
    # Another council's user is signed out on this host.
    assert client_for(council_b, cast.outsider).get("/admin-area/users/").status_code == 403
    assert _active(council_a, cast.staff)
    own = client_for(council_a, cast.admin).post(f"/admin-area/users/{cast.admin.pk}/access/")
    assert own.status_code == 400 and "your own account" in own.content.decode()
    assert _active(council_a, cast.admin)


def test_read_only_council_cannot_change_who_signs_in(cast, council_a) -> None:
    Licence.objects.filter(council=council_a).update(state=LicenceState.LAPSED)
    response = client_for(council_a, cast.admin).post(f"/admin-area/users/{cast.staff.pk}/access/")
    assert response.status_code in (400, 403)
    assert _active(council_a, cast.staff)


def test_api_list_deactivate_reactivate(cast, council_a, council_b, api_for) -> None:
    admin = api_for(council_a, cast.admin)
    listed = admin.get("/api/v1/users/").json()["results"]
    assert {m["email"] for m in listed} >= {cast.owner.email, cast.staff.email}
    assert all(m["is_active"] for m in listed)

    staff_token = api_for(council_a, cast.staff)
    body = admin.post(f"/api/v1/users/{cast.staff.pk}/deactivate/").json()
    assert body["is_active"] is False
    assert staff_token.get("/api/v1/me/").status_code == 401
    assert admin.post(f"/api/v1/users/{cast.staff.pk}/deactivate/").status_code == 422
    assert admin.post(f"/api/v1/users/{cast.staff.pk}/reactivate/").json()["is_active"] is True
    assert admin.post("/api/v1/users/999999/deactivate/").status_code == 404

    # Not admins, another council, the platform host, anonymous.
    for client in (api_for(council_a, cast.owner), api_for(council_a, cast.staff)):
        assert client.get("/api/v1/users/").status_code == 403
        assert client.post(f"/api/v1/users/{cast.owner.pk}/deactivate/").status_code == 403
    outsider = api_for(council_b, cast.outsider)
    assert outsider.get("/api/v1/users/").status_code == 403
    assert api_for(council_a).get("/api/v1/users/").status_code == 401
    assert _active(council_a, cast.owner)

"""A council admin moves a departed councillor's open cases to another councillor (service,
web and API). Two councils and an outsider, as everywhere."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.models import User
from billing.models import Licence, LicenceState
from caseload.models import Action, Case
from caseload.services import case_close, cases_transfer
from core.errors import PermissionDenied, ValidationFailed
from reminders.selectors import bf_due_for_user
from reminders.services import bf_add
from tests.caseload.conftest import make_case
from tests.caseload.pages_support import client_for
from tests.conftest import in_council
from tests.reminders.conftest import on_a_working_day  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _cases(cast, council):
    with in_council(council):
        open_one = make_case(cast.other_councillor, title="Blocked drain")
        other_open = make_case(cast.other_councillor, title="Hedge")
        closed = make_case(cast.other_councillor, title="Old matter")
        case_close(actor=cast.other_councillor, case=closed, outcome="resolved")
        bf = bf_add(
            actor=cast.other_councillor,
            case=open_one,
            due_date=timezone.localdate(),
            reason="Chase",
        )
    return open_one, other_open, closed, bf


@pytest.mark.usefixtures("on_a_working_day")
def test_open_cases_move_with_a_history_entry_and_their_reminders(cast, council_a) -> None:
    open_one, other_open, closed, bf = _cases(cast, council_a)
    with in_council(council_a):
        User.objects.filter(pk=cast.other_councillor.pk).update(is_active=False)
        moved = cases_transfer(
            actor=cast.admin, from_user=cast.other_councillor, to_user=cast.owner
        )
        assert moved == 2
        owners = dict(Case.objects.values_list("pk", "owner_id"))
        assert owners[open_one.pk] == owners[other_open.pk] == cast.owner.pk
        assert owners[closed.pk] == cast.other_councillor.pk  # closed cases stay as they were
        entry = Action.objects.filter(case=open_one, data__via="transfer").get()
        assert entry.author_id == cast.admin.pk
        assert entry.text == (
            f"Case transferred from {cast.other_councillor.name} to {cast.owner.name}"
        )
        # The departed councillor's open BF is now the new councillor's.
        assert [b.pk for b in bf_due_for_user(user=cast.owner)] == [bf.pk]
        # Running it again moves nothing.
        assert (
            cases_transfer(actor=cast.admin, from_user=cast.other_councillor, to_user=cast.owner)
            == 0
        )


def test_transfer_is_refused_when_it_makes_no_sense(cast, council_a) -> None:
    _cases(cast, council_a)
    with in_council(council_a):
        for actor in (cast.owner, cast.staff, cast.other_councillor):
            with pytest.raises(PermissionDenied):
                cases_transfer(actor=actor, from_user=cast.other_councillor, to_user=cast.owner)
        with pytest.raises(ValidationFailed, match="different councillor"):
            cases_transfer(actor=cast.admin, from_user=cast.owner, to_user=cast.owner)
        with pytest.raises(ValidationFailed, match="from one councillor to another"):
            cases_transfer(actor=cast.admin, from_user=cast.other_councillor, to_user=cast.staff)
        User.objects.filter(pk=cast.ward_colleague.pk).update(is_active=False)
        gone = User.objects.get(pk=cast.ward_colleague.pk)
        with pytest.raises(ValidationFailed, match="cannot sign in"):
            cases_transfer(actor=cast.admin, from_user=cast.other_councillor, to_user=gone)
        assert Case.objects.filter(owner=cast.other_councillor).count() == 3


def test_admin_moves_cases_on_the_web(cast, council_a) -> None:
    _cases(cast, council_a)
    admin = client_for(council_a, cast.admin)
    page = admin.get(f"/admin-area/users/{cast.other_councillor.pk}/access/").content.decode()
    assert "has 2 open cases" in page and "Blocked drain" not in page  # counted, not shown
    path = f"/admin-area/users/{cast.other_councillor.pk}/transfer/"
    refused = admin.post(path, {"to": ""})
    assert refused.status_code == 400 and "Choose the councillor" in refused.content.decode()
    response = admin.post(path, {"to": cast.owner.pk})
    assert response.status_code == 302 and response["Location"] == "/admin-area/users/"
    with in_council(council_a):
        assert Case.objects.filter(owner=cast.owner).count() == 2
    for user in (cast.owner, cast.staff):
        assert client_for(council_a, user).post(path, {"to": cast.owner.pk}).status_code == 403


def test_api_transfer_and_isolation(cast, council_a, council_b, api_for) -> None:
    _cases(cast, council_a)
    path = f"/api/v1/users/{cast.other_councillor.pk}/transfer-cases/"
    for client in (api_for(council_a, cast.owner), api_for(council_a, cast.staff)):
        assert client.post(path, {"to": cast.owner.pk}).status_code == 403
    assert api_for(council_b, cast.outsider).post(path, {"to": 1}).status_code == 403
    assert api_for(council_a).post(path, {"to": cast.owner.pk}).status_code == 401
    admin = api_for(council_a, cast.admin)
    assert admin.post(path, {}).status_code == 400
    assert admin.post(path, {"to": 999999}).status_code == 400
    assert admin.post("/api/v1/users/999999/transfer-cases/", {"to": 1}).status_code == 404
    assert admin.post(path, {"to": cast.owner.pk}).json() == {"moved": 2}
    with in_council(council_a):
        assert Case.objects.filter(owner=cast.owner).count() == 2


def test_read_only_council_cannot_move_cases(cast, council_a, api_for) -> None:
    _cases(cast, council_a)
    Licence.objects.filter(council=council_a).update(state=LicenceState.LAPSED)
    response = api_for(council_a, cast.admin).post(
        f"/api/v1/users/{cast.other_councillor.pk}/transfer-cases/", {"to": cast.owner.pk}
    )
    assert response.status_code == 403
    with in_council(council_a):
        assert Case.objects.filter(owner=cast.other_councillor).count() == 3

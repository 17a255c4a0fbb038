"""The erase and correct pages as every role: the record holder's side only."""

from __future__ import annotations

import pytest

from caseload.models import Constituent
from tests.caseload.pages_support import accessibility_problems, client_for
from tests.conftest import in_council
from tests.privacy.test_retention import _closed_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(cast, council_a) -> Constituent:
    with in_council(council_a):
        return _closed_case(cast).constituent


@pytest.mark.parametrize("page", ["erase", "correct"])
def test_the_record_holders_side_sees_the_page(cast, council_a, person, page):
    for who in (cast.owner, cast.staff):
        response = client_for(council_a, who).get(f"/constituents/{person.pk}/{page}/")
        assert response.status_code == 200
        html = response.content.decode()
        assert accessibility_problems(html) == []
    detail = client_for(council_a, cast.owner).get(f"/constituents/{person.pk}/").content.decode()
    assert f"/constituents/{person.pk}/{page}/" in detail


@pytest.mark.parametrize("page", ["erase", "correct"])
def test_everyone_else_is_refused(cast, council_a, council_b, person, page, make_user):
    url = f"/constituents/{person.pk}/{page}/"
    assert client_for(council_a, cast.admin).get(url).status_code == 403
    for who in (cast.other_staff, cast.other_councillor, cast.ward_colleague):
        assert client_for(council_a, who).get(url).status_code in (403, 404)
        assert client_for(council_a, who).post(url, {}).status_code in (403, 404)
    b_user = make_user(council_b, role="councillor", ward="North", email="c@b.gov.uk")
    assert client_for(council_b, b_user).get(url).status_code == 404
    assert client_for(council_a, None).get(url).status_code == 302
    with in_council(council_a):
        assert Constituent.objects.get(pk=person.pk).name == "Margaret Fairbairn"


def test_erasing_from_the_page(cast, council_a, person):
    client = client_for(council_a, cast.owner)
    url = f"/constituents/{person.pk}/erase/"
    refused = client.post(url, {"scope": "identity"})
    assert refused.status_code == 400
    assert "cannot be undone" in refused.content.decode()
    done = client.post(url, {"scope": "identity", "confirm": "on"})
    assert done.status_code == 302
    with in_council(council_a):
        assert Constituent.objects.get(pk=person.pk).name == "[erased]"


def test_correcting_from_the_page(cast, council_a, person):
    client = client_for(council_a, cast.owner)
    url = f"/constituents/{person.pk}/correct/"
    bad = client.post(url, {"field_name": "email", "value": "", "everywhere": "replace"})
    assert bad.status_code == 400 and "Enter the correct value" in bad.content.decode()
    ok = client.post(
        url, {"field_name": "email", "value": "m.fairbairn@example.org", "everywhere": "note"}
    )
    assert ok.status_code == 302
    with in_council(council_a):
        assert Constituent.objects.get(pk=person.pk).email == "m.fairbairn@example.org"

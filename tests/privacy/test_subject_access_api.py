"""The subject access API as every role, and its errors as 400/422 with a message."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from privacy.models import SubjectAccessRequest
from tests.conftest import in_council
from tests.privacy.test_subject_access import _seed

pytestmark = pytest.mark.django_db


def test_a_request_through_the_api(cast, council_a, api_for, media_root):
    with in_council(council_a):
        margaret, other, *_ = _seed(cast)
    api = api_for(council_a, cast.staff)
    today = timezone.localdate()
    bad = api.post(
        "/api/v1/subject-access/",
        {"requester_name": "Margaret Fairbairn", "received_on": "2020-01-01"},
        format="json",
    )
    assert bad.status_code == 400 and "received_on" in bad.json()["error"]["fields"]
    made = api.post(
        "/api/v1/subject-access/",
        {
            "requester_name": "Margaret Fairbairn",
            "received_on": today.isoformat(),
            "email": "margaret@example.org",
            "constituent": margaret.pk,
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["councillor"] == cast.owner.pk and body["handled_by"] == cast.staff.pk
    assert body["bf"] and body["case"] and body["status"] == "open" and not body["overdue"]
    url = f"/api/v1/subject-access/{body['id']}/"
    assert api.get("/api/v1/subject-access/").json()["results"][0]["id"] == body["id"]

    # The request's own details (name and email) find both Margarets; the email only her.
    matches = api.get(url + "matches/").json()["results"]
    assert {m["id"] for m in matches} == {margaret.pk, other.pk}
    assert "same email" in matches[0]["reasons"] and matches[0]["id"] == margaret.pk
    by_email = api.get(url + "matches/", {"email": "MARGARET@example.org"}).json()["results"]
    assert [m["id"] for m in by_email] == [margaret.pk]
    by_name = api.get(url + "matches/", {"name": "Margaret Fairbairn"}).json()["results"]
    assert {m["id"] for m in by_name} == {margaret.pk, other.pk}

    assert api.get(url + "archive/").status_code == 422
    bad = api.post(url + "confirm/", {"constituent_ids": ["x"]}, format="json")
    assert bad.status_code == 400
    confirmed = api.post(url + "confirm/", {"constituent_ids": [margaret.pk]}, format="json")
    assert confirmed.json()["confirmed_constituent_ids"] == [margaret.pk]
    archive = api.get(url + "archive/")
    assert archive.status_code == 200 and archive["Content-Type"] == "application/zip"
    assert b"Fairburn" not in zipfile.ZipFile(io.BytesIO(archive.content)).read(
        "subject-access.json"
    )

    assert api.post(url + "extend/", {"months": 3, "reason": "x"}, format="json").status_code == 400
    assert api.post(url + "extend/", {"months": 1}, format="json").status_code == 400
    extended = api.post(url + "extend/", {"months": 1, "reason": "Complex"}, format="json")
    assert extended.json()["extension_months"] == 1
    assert api.post(url + "resume/").status_code == 422
    assert api.post(url + "pause/").json()["status"] == "paused"
    assert api.post(url + "pause/").status_code == 422
    assert api.post(url + "resume/").json()["status"] == "open"
    assert api.post(url + "close/", {"status": "refused"}, format="json").status_code == 400
    closed = api.post(url + "close/", {"status": "completed"}, format="json")
    assert closed.json()["status"] == "completed"
    assert api.post(url + "pause/").status_code == 422


def test_everyone_else_is_refused(cast, council_a, council_b, api_for, make_user):
    owner = api_for(council_a, cast.owner)
    made = owner.post(
        "/api/v1/subject-access/",
        {"requester_name": "Margaret Fairbairn", "received_on": timezone.localdate().isoformat()},
        format="json",
    )
    url = f"/api/v1/subject-access/{made.json()['id']}/"
    for who in (cast.other_staff, cast.ward_colleague, cast.other_councillor):
        api = api_for(council_a, who)
        assert api.get(url).status_code == 404
        assert api.get(url + "archive/").status_code == 404
        assert api.post(url + "pause/").status_code == 404
        assert api.get("/api/v1/subject-access/").json()["results"] == []
    admin = api_for(council_a, cast.admin)
    assert admin.get("/api/v1/subject-access/").status_code == 403
    assert admin.get(url).status_code == 403
    assert admin.post(url + "pause/").status_code == 403
    b_user = make_user(council_b, role="councillor", ward="North", email="c@b.gov.uk")
    assert api_for(council_b, b_user).get(url).status_code == 404
    assert api_for(council_a, None).get(url).status_code == 401
    # A councillor cannot record a request for someone else's councillor.
    refused = owner.post(
        "/api/v1/subject-access/",
        {
            "requester_name": "X",
            "received_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "councillor": cast.other_councillor.pk,
        },
        format="json",
    )
    assert refused.status_code == 400
    with in_council(council_a):
        assert SubjectAccessRequest.objects.get().status == "open"

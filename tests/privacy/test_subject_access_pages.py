"""The subject access pages as every role: the request's councillor and their staff use
them; undelegated staff and colleagues get 404, admins 403, another council 404; bad input
is a 400 with the form's message and nothing saved."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from privacy import services
from privacy.models import SubjectAccessRequest
from reminders.models import BF
from tests.caseload.pages_support import accessibility_problems, client_for
from tests.conftest import in_council
from tests.privacy.test_subject_access import _seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(cast, council_a, media_root):
    with in_council(council_a):
        margaret, other, *_ = _seed(cast)
        sar = services.subject_access_open(
            actor=cast.owner,
            requester_name="Margaret Fairbairn",
            received_on=timezone.localdate() - timedelta(days=3),
            email="margaret@example.org",
            constituent=margaret,
        )
    return sar, margaret, other


def _pages(sar):
    base = f"/subject-access/{sar.pk}/"
    return ["/subject-access/", "/subject-access/new/", base]


def test_the_councillor_and_their_staff_use_the_pages(cast, council_a, seeded):
    sar, _margaret, _other = seeded
    for who in (cast.owner, cast.staff):
        client = client_for(council_a, who)
        for url in _pages(sar):
            response = client.get(url)
            assert response.status_code == 200, (url, who.role)
            assert accessibility_problems(response.content.decode()) == [], url
        home = client.get("/").content.decode()
        assert 'href="/subject-access/"' in home  # in the navigation
    detail = client_for(council_a, cast.owner).get(f"/subject-access/{sar.pk}/").content.decode()
    # Both Margarets are offered, told apart by postcode and why they matched.
    assert "Margaret Fairburn" in detail and "KY8 4AA" in detail and "same email" in detail


def test_everyone_else_is_refused(cast, council_a, council_b, seeded, make_user):
    sar, *_ = seeded
    posts = ["confirm", "extend", "clock", "close"]
    for who in (cast.other_staff, cast.ward_colleague, cast.other_councillor):
        client = client_for(council_a, who)
        assert client.get(f"/subject-access/{sar.pk}/").status_code == 404
        assert client.get(f"/subject-access/{sar.pk}/archive/").status_code == 404
        for action in posts:
            assert client.post(f"/subject-access/{sar.pk}/{action}/", {}).status_code == 404
        assert "Margaret" not in client.get("/subject-access/").content.decode()
    admin = client_for(council_a, cast.admin)
    for url in [*_pages(sar), f"/subject-access/{sar.pk}/archive/"]:
        assert admin.get(url).status_code == 403, url
    b_user = make_user(council_b, role="councillor", ward="North", email="c@b.gov.uk")
    assert client_for(council_b, b_user).get(f"/subject-access/{sar.pk}/").status_code == 404
    assert client_for(council_a, None).get("/subject-access/").status_code == 302
    with in_council(council_a):
        fresh = SubjectAccessRequest.objects.get(pk=sar.pk)
        assert fresh.status == "open" and fresh.archives_downloaded == 0


def test_a_request_from_the_new_page_to_the_archive(cast, council_a, seeded):
    sar, margaret, _other = seeded
    client = client_for(council_a, cast.staff)
    today = timezone.localdate()
    bad = client.post(
        "/subject-access/new/",
        {
            "councillor": cast.owner.pk,
            "requester_name": "",
            "received_on_day": today.day,
            "received_on_month": today.month,
            "received_on_year": today.year,
        },
    )
    assert bad.status_code == 400 and "Enter the requester" in bad.content.decode()
    future = today + timedelta(days=2)
    bad = client.post(
        "/subject-access/new/",
        {
            "councillor": cast.owner.pk,
            "requester_name": "Angus Thomson",
            "received_on_day": future.day,
            "received_on_month": future.month,
            "received_on_year": future.year,
        },
    )
    assert bad.status_code == 400 and "future" in bad.content.decode()
    with in_council(council_a):
        assert SubjectAccessRequest.objects.count() == 1
    made = client.post(
        "/subject-access/new/",
        {
            "councillor": cast.owner.pk,
            "requester_name": "Angus Thomson",
            "received_on_day": today.day,
            "received_on_month": today.month,
            "received_on_year": today.year,
            "postcode": "KY1 1EG",
        },
    )
    assert made.status_code == 302
    with in_council(council_a):
        new = SubjectAccessRequest.objects.get(requester_name="Angus Thomson")
        assert BF.objects.get(pk=new.bf_id).owner == cast.staff
        # Like every BF, it is on the dashboard when it falls due (moved here to today).
        BF.objects.filter(pk=new.bf_id).update(due_date=today)
    assert "Subject access request due" in client.get("/").content.decode()

    # Archive before confirming: refused, with the reason.
    refused = client.get(f"/subject-access/{sar.pk}/archive/")
    assert refused.status_code == 422 and "Confirm" in refused.content.decode()
    bad = client.post(f"/subject-access/{sar.pk}/confirm/", {"constituent_ids": [999999]})
    assert bad.status_code == 400
    ok = client.post(f"/subject-access/{sar.pk}/confirm/", {"constituent_ids": [margaret.pk]})
    assert ok.status_code == 302
    archive = client.get(f"/subject-access/{sar.pk}/archive/")
    assert archive.status_code == 200 and archive["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert "subject-access.json" in names and "summary.pdf" in names

    assert client.post(f"/subject-access/{sar.pk}/extend/", {"months": 1}).status_code == 400
    assert (
        client.post(
            f"/subject-access/{sar.pk}/extend/", {"months": 1, "reason": "Many records"}
        ).status_code
        == 302
    )
    assert client.post(f"/subject-access/{sar.pk}/clock/").status_code == 302
    with in_council(council_a):
        assert SubjectAccessRequest.objects.get(pk=sar.pk).status == "paused"
    assert client.post(f"/subject-access/{sar.pk}/clock/").status_code == 302
    refuse = client.post(f"/subject-access/{sar.pk}/close/", {"status": "refused"})
    assert refuse.status_code == 400 and "Say why" in refuse.content.decode()
    done = client.post(f"/subject-access/{sar.pk}/close/", {"status": "completed"})
    assert done.status_code == 302
    with in_council(council_a):
        fresh = SubjectAccessRequest.objects.get(pk=sar.pk)
        assert fresh.status == "completed" and fresh.extension_months == 1
    page = client.get(f"/subject-access/{sar.pk}/").content.decode()
    assert "Completed" in page and "Stop the clock" not in page


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_marks_overdue_requests_in_a_fixed_number_of_queries(cast, council_a, seeded):
    sar, *_ = seeded
    client = client_for(council_a, cast.owner)
    client.get("/subject-access/")  # warm the session
    one = _queries(client, "/subject-access/")
    with in_council(council_a):
        for n in range(6):
            services.subject_access_open(
                actor=cast.owner, requester_name=f"Person {n}", received_on=timezone.localdate()
            )
        # Received 40 days ago (set directly: the clock is tested without waiting a month).
        SubjectAccessRequest.objects.filter(pk=sar.pk).update(
            received_on=timezone.localdate() - timedelta(days=40),
            due_on=timezone.localdate() - timedelta(days=9),
        )
    assert _queries(client, "/subject-access/") == one  # no query per row
    html = client.get("/subject-access/").content.decode()
    assert html.count("Overdue") == 1 and html.count("Person ") == 6

"""Every read of casework writes its audit entry, in the request: single reads of a case (page,
API, history, referrals, files), constituents, and one summarised entry per list or search
page naming what it showed; a search's words are never stored, only their length."""

from __future__ import annotations

import json

import pytest

from audit.models import AuditEntry
from caseload import services
from tests.caseload.pages_support import build_scene, client_for
from tests.conftest import in_council

pytestmark = pytest.mark.django_db

SEARCH_WORD = "Pothole"

# (route, kind, what the entry must name: "case", "constituent" or None). Web pages and API.
READS = [
    ("/cases/{case_id}/", "case_viewed", "case"),
    ("/cases/{case_id}/edit/", "case_viewed", "case"),
    ("/cases/{case_id}/attachments/{attachment_id}/", "attachment_downloaded", "case"),
    ("/cases/", "cases_listed", "case"),
    (f"/cases/?q={SEARCH_WORD}", "cases_searched", "case"),
    ("/constituents/", "constituents_listed", "constituent"),
    ("/constituents/?q=Morag", "constituents_searched", "constituent"),
    ("/constituents/{constituent_id}/", "constituent_viewed", "constituent"),
    ("/", "cases_listed", "case"),
    ("/surgery/?q=Morag", "constituents_searched", "constituent"),
    ("/api/v1/cases/{case_id}/", "case_viewed", "case"),
    ("/api/v1/cases/{case_id}/actions/", "case_history_viewed", "case"),
    ("/api/v1/cases/{case_id}/referrals/", "case_referrals_viewed", "case"),
    ("/api/v1/cases/{case_id}/attachments/", "case_attachments_viewed", "case"),
    ("/api/v1/attachments/{attachment_id}/download/", "attachment_downloaded", "case"),
    ("/api/v1/cases/", "cases_listed", "case"),
    (f"/api/v1/cases/?q={SEARCH_WORD.lower()}", "cases_searched", "case"),
    ("/api/v1/constituents/", "constituents_listed", "constituent"),
    ("/api/v1/constituents/?q=morag", "constituents_searched", "constituent"),
    ("/api/v1/constituents/{constituent_id}/", "constituent_viewed", "constituent"),
    ("/api/v1/constituents/{constituent_id}/cases/", "cases_listed", "case"),
]


def _last_id() -> int:
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.fixture
def scene(cast, council_a):
    return build_scene(cast, council_a)


def _get(client, path: str):
    response = client.get(path)
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    return response


@pytest.mark.parametrize("route, kind, names", READS, ids=[r[0] for r in READS])
def test_every_read_path_writes_its_entry(
    cast, council_a, scene, api_for, route, kind, names
) -> None:
    path = route.format(**scene.url_kwargs())
    client = api_for(council_a, cast.owner) if path.startswith("/api/") else None
    client = client or client_for(council_a, cast.owner)
    with in_council(council_a):
        before = _last_id()
    response = _get(client, path)
    assert response.status_code == 200, (path, response.status_code)
    with in_council(council_a):
        new = list(AuditEntry.objects.filter(pk__gt=before).order_by("id"))
    # One entry per page: the read itself, nothing else.
    assert [(e.action, e.actor_id) for e in new] == [(kind, cast.owner.pk)], [
        (e.action, e.summary) for e in new
    ]
    entry = new[0]
    if names == "case":
        assert scene.case.pk in entry.case_ids
        assert scene.case.reference in entry.case_references
    else:
        assert scene.constituent.pk in entry.constituent_ids
    assert entry.ip_address == "127.0.0.1"  # the request's address, via audit.middleware
    if "?q=" in path:
        typed = path.split("?q=")[1]
        assert entry.detail["search_length"] == len(typed)
        stored = json.dumps([entry.summary, entry.detail]).lower()
        assert typed.lower() not in stored  # never the words themselves


def test_staff_reads_are_recorded_as_for_their_councillor(cast, council_a, scene) -> None:
    client = client_for(council_a, cast.staff)
    with in_council(council_a):
        before = _last_id()
    assert client.get(f"/cases/{scene.case.pk}/").status_code == 200
    with in_council(council_a):
        entry = AuditEntry.objects.get(pk__gt=before)
    assert entry.actor_id == cast.staff.pk and entry.on_behalf_of_id == cast.owner.pk
    assert entry.actor_role == "staff"


def test_a_list_page_is_one_entry_naming_every_case_shown(cast, council_a, scene) -> None:
    client = client_for(council_a, cast.owner)
    with in_council(council_a):
        before = _last_id()
    assert client.get("/cases/?status=not_closed").status_code == 200
    with in_council(council_a):
        entry = AuditEntry.objects.get(pk__gt=before)
    assert entry.case_ids == [scene.case.pk]  # the closed case was not shown
    assert entry.detail["filters"] == {"open_only": True}
    assert entry.detail["shown"] == 1


def test_a_refused_write_is_not_logged_as_an_edit_or_a_read(cast, council_a, api_for) -> None:
    """A ward colleague may read a ward-shared case but not change it: their refused PATCH
    leaves no entry at all; the owner's allowed one is a read "to change it"."""
    from tests.caseload.conftest import make_case

    with in_council(council_a):
        case = make_case(cast.owner, sharing="ward")
        before = _last_id()
    colleague = api_for(council_a, cast.ward_colleague)
    with in_council(council_a):
        before = _last_id()
    refused = colleague.patch(f"/api/v1/cases/{case.pk}/", {"title": "Mine now"}, format="json")
    assert refused.status_code == 403
    with in_council(council_a):
        assert not AuditEntry.objects.filter(pk__gt=before).exists()
    owner = api_for(council_a, cast.owner)
    with in_council(council_a):
        before = _last_id()
    done = owner.patch(f"/api/v1/cases/{case.pk}/", {"title": "Street light out"}, format="json")
    assert done.status_code == 200
    with in_council(council_a):
        entry = AuditEntry.objects.get(pk__gt=before)
    assert entry.action == "case_viewed" and entry.detail == {"to_change": True}


def test_an_invisible_case_writes_nothing(cast, council_a, scene, api_for) -> None:
    other = api_for(council_a, cast.other_councillor)
    with in_council(council_a):
        before = _last_id()
    assert other.get(f"/api/v1/cases/{scene.case.pk}/").status_code == 404
    assert other.get(f"/api/v1/attachments/{scene.attachment.pk}/download/").status_code == 404
    with in_council(council_a):
        assert not AuditEntry.objects.filter(pk__gt=before).exists()


def test_the_admin_export_is_recorded(cast, council_a, api_for) -> None:
    admin = api_for(council_a, cast.admin)
    with in_council(council_a):
        before = _last_id()
    response = admin.get("/api/v1/export/")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    with in_council(council_a):
        entry = AuditEntry.objects.get(pk__gt=before)
    assert entry.action == "exported" and entry.actor_id == cast.admin.pk
    assert entry.detail["export"] == "admin" and "accounts.user" in entry.detail["models"]
    assert entry.case_ids == []  # the admin export carries no casework


def test_case_transfer_is_recorded_with_the_cases_moved(cast, council_a) -> None:
    from tests.caseload.conftest import make_case

    with in_council(council_a):
        moving = make_case(cast.owner)
        before = _last_id()
        services.cases_transfer(
            actor=cast.admin, from_user=cast.owner, to_user=cast.other_councillor
        )
        entry = AuditEntry.objects.get(pk__gt=before, action="cases_transferred")
    assert moving.pk in entry.case_ids and moving.reference in entry.case_references
    assert entry.subject_user_id == cast.owner.pk and entry.detail["to"] == cast.other_councillor.pk


def test_an_officer_opening_their_reply_link_is_recorded(cast, council_a, scene) -> None:
    from urllib.parse import urlsplit

    from correspondence.services.links import referral_reply_url

    with in_council(council_a):
        path = urlsplit(referral_reply_url(referral=scene.referral)).path
        before = _last_id()
    from django.test import Client

    from tests.conftest import host_for

    response = Client(HTTP_HOST=host_for(council_a)).get(path)
    assert response.status_code == 200
    with in_council(council_a):
        entry = AuditEntry.objects.get(pk__gt=before)
    assert entry.action == "case_viewed" and entry.actor_id is None
    assert entry.actor_email == scene.officer.email and entry.case_ids == [scene.case.pk]
    assert entry.detail["via"] == "officer_link"
    assert entry.detail["referral_id"] == scene.referral.pk

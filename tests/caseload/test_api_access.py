"""Who gets what from every caseload endpoint.

Each endpoint is called by: the owner; a ward colleague while the case is private and while
it is shared with the ward; the owner's delegated staff; staff without delegation; a council
admin; a councillor of the same council with no access; a user of another council (their
token on this council's host); and an anonymous caller. Every status code is asserted.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from caseload.models import Case, CouncilHoliday, Delegation
from caseload.services import (
    attachment_add,
    case_close,
    case_set_sharing,
    referral_create,
)
from tests.caseload.conftest import make_case, make_constituent, make_officer
from tests.conftest import host_for, in_council

ROLES = [
    "owner",
    "colleague_unshared",
    "colleague_shared",
    "staff",
    "other_staff",
    "admin",
    "other_councillor",
    "other_council",
    "anonymous",
]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    cast: Any
    council_a: Any
    clients: dict[str, APIClient] = field(default_factory=dict)

    def user(self, role: str):
        return {
            "owner": self.cast.owner,
            "colleague_unshared": self.cast.ward_colleague,
            "colleague_shared": self.cast.ward_colleague,
            "staff": self.cast.staff,
            "other_staff": self.cast.other_staff,
            "admin": self.cast.admin,
            "other_councillor": self.cast.other_councillor,
        }.get(role)

    def fresh_case(self, role: str, **fields: Any) -> Case:
        """A private case owned by the owner; shared with the ward for colleague_shared."""
        with in_council(self.council_a):
            case = make_case(self.cast.owner, category=self.cast.housing, **fields)
            if role == "colleague_shared":
                case = case_set_sharing(actor=self.cast.owner, case=case, sharing="ward")
            return case


@pytest.fixture
def world(cast, council_a, council_b, api_for) -> World:
    w = World(cast=cast, council_a=council_a)
    for role in ROLES:
        user = w.user(role)
        if role == "colleague_shared":
            w.clients[role] = w.clients["colleague_unshared"]
        elif user is not None:
            w.clients[role] = api_for(council_a, user)
    # Another council's user: a valid token, but issued on council B's host.
    on_b = api_for(council_b, cast.outsider)
    token = on_b._credentials["HTTP_AUTHORIZATION"]
    w.clients["other_council"] = APIClient(HTTP_HOST=host_for(council_a))
    w.clients["other_council"].credentials(HTTP_AUTHORIZATION=token)
    w.clients["anonymous"] = APIClient(HTTP_HOST=host_for(council_a))
    return w


READ = {
    "owner": 200,
    "colleague_unshared": 404,
    "colleague_shared": 200,
    "staff": 200,
    "other_staff": 404,
    "admin": 404,
    "other_councillor": 404,
    "other_council": 401,
    "anonymous": 401,
}


def write(ok: int) -> dict[str, int]:
    return {**READ, "owner": ok, "staff": ok, "colleague_shared": 403}


@dataclass
class CaseEndpoint:
    name: str
    method: str
    path: Callable[[World, Case], str]
    expected: dict[str, int]
    body: Callable[[World, Case], Any] = lambda w, c: {}
    prepare: Callable[[World, Case], None] = lambda w, c: None
    multipart: bool = False


def _close(w: World, case: Case) -> None:
    with in_council(w.council_a):
        case_close(actor=w.cast.owner, case=case, outcome="resolved")


def _refer(w: World, case: Case) -> None:
    with in_council(w.council_a):
        officer = make_officer(w.cast.admin, topics=[w.cast.housing])
        w.referral = referral_create(  # type: ignore[attr-defined]
            actor=w.cast.owner, case=case, officer=officer, working_days=5
        )


def _attach(w: World, case: Case) -> None:
    with in_council(w.council_a):
        w.attachment = attachment_add(  # type: ignore[attr-defined]
            actor=w.cast.owner,
            case=case,
            file=SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf"),
        )


def _officer_body(w: World, case: Case) -> dict[str, Any]:
    with in_council(w.council_a):
        officer = make_officer(w.cast.admin, topics=[w.cast.housing])
    return {"officer": officer.pk, "working_days": 10}


CASE_ENDPOINTS = [
    CaseEndpoint("read", "get", lambda w, c: f"/api/v1/cases/{c.pk}/", READ),
    CaseEndpoint(
        "update",
        "patch",
        lambda w, c: f"/api/v1/cases/{c.pk}/",
        write(200),
        body=lambda w, c: {"title": "Streetlight still out", "priority": "high"},
    ),
    CaseEndpoint(
        "close",
        "post",
        lambda w, c: f"/api/v1/cases/{c.pk}/close/",
        write(200),
        body=lambda w, c: {"outcome": "resolved", "note": "Fixed", "time_spent_minutes": 15},
    ),
    CaseEndpoint(
        "reopen",
        "post",
        lambda w, c: f"/api/v1/cases/{c.pk}/reopen/",
        write(200),
        prepare=_close,
    ),
    CaseEndpoint(
        "status",
        "post",
        lambda w, c: f"/api/v1/cases/{c.pk}/status/",
        write(200),
        body=lambda w, c: {"status": "awaiting_reply"},
    ),
    CaseEndpoint("sharing-read", "get", lambda w, c: f"/api/v1/cases/{c.pk}/sharing/", READ),
    CaseEndpoint(
        "sharing-set",
        "put",
        lambda w, c: f"/api/v1/cases/{c.pk}/sharing/",
        write(200),
        body=lambda w, c: {"sharing": "named", "user_ids": [w.cast.other_councillor.pk]},
    ),
    CaseEndpoint("history", "get", lambda w, c: f"/api/v1/cases/{c.pk}/actions/", READ),
    CaseEndpoint(
        "add-action",
        "post",
        lambda w, c: f"/api/v1/cases/{c.pk}/actions/",
        write(201),
        body=lambda w, c: {"kind": "call", "text": "Rang the tenant", "time_spent_minutes": 5},
    ),
    CaseEndpoint("referrals", "get", lambda w, c: f"/api/v1/cases/{c.pk}/referrals/", READ),
    CaseEndpoint(
        "refer",
        "post",
        lambda w, c: f"/api/v1/cases/{c.pk}/referrals/",
        write(201),
        body=_officer_body,
    ),
    CaseEndpoint(
        "referral-reply",
        "post",
        lambda w, c: f"/api/v1/cases/{c.pk}/referrals/{w.referral.pk}/reply/",  # type: ignore[attr-defined]
        write(200),
        body=lambda w, c: {"text": "Repair booked"},
        prepare=_refer,
    ),
    CaseEndpoint(
        "suggest-officers",
        "get",
        lambda w, c: f"/api/v1/cases/{c.pk}/suggested-officers/",
        READ,
    ),
    CaseEndpoint("attachments", "get", lambda w, c: f"/api/v1/cases/{c.pk}/attachments/", READ),
    CaseEndpoint(
        "attach",
        "post",
        lambda w, c: f"/api/v1/cases/{c.pk}/attachments/",
        write(201),
        body=lambda w, c: {"file": SimpleUploadedFile("scan.pdf", PDF)},
        multipart=True,
    ),
    CaseEndpoint(
        "download",
        "get",
        lambda w, c: f"/api/v1/attachments/{w.attachment.pk}/download/",  # type: ignore[attr-defined]
        READ,
        prepare=_attach,
    ),
    CaseEndpoint(
        "access-log",
        "get",
        lambda w, c: f"/api/v1/cases/{c.pk}/access-log/",
        {**write(200), "admin": 200},
    ),
]


def _call(client: APIClient, method: str, path: str, body: Any, multipart: bool = False):
    if method == "get":
        return client.get(path)
    if method == "delete":
        return client.delete(path)
    fmt = "multipart" if multipart else "json"
    return getattr(client, method)(path, body, format=fmt)


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", CASE_ENDPOINTS, ids=lambda e: e.name)
def test_case_endpoint_access(world: World, endpoint: CaseEndpoint) -> None:
    got = {}
    for role in ROLES:
        case = world.fresh_case(role)
        endpoint.prepare(world, case)
        response = _call(
            world.clients[role],
            endpoint.method,
            endpoint.path(world, case),
            endpoint.body(world, case),
            endpoint.multipart,
        )
        got[role] = response.status_code
        if response.status_code >= 400:
            assert "error" in response.json(), (role, response.content)
    assert got == endpoint.expected


@pytest.mark.django_db
def test_other_council_host_does_not_know_the_case(world: World, api_for, council_b) -> None:
    """The outsider, on their own council's host, asking for council A's case id: 404."""
    case = world.fresh_case("owner")
    response = api_for(council_b, world.cast.outsider).get(f"/api/v1/cases/{case.pk}/")
    assert response.status_code == 404


@pytest.mark.django_db
def test_case_list_shows_each_role_what_it_may_read(world: World) -> None:
    private = world.fresh_case("owner")
    shared = world.fresh_case("colleague_shared")
    expected = {
        "owner": {private.pk, shared.pk},
        "colleague_unshared": {shared.pk},  # the same person once the case is shared
        "colleague_shared": {shared.pk},
        "staff": {private.pk, shared.pk},
        "other_staff": set(),
        "admin": set(),
        "other_councillor": set(),
    }
    for role in ROLES:
        response = world.clients[role].get("/api/v1/cases/")
        if role in ("other_council", "anonymous"):
            assert response.status_code == 401
            continue
        assert response.status_code == 200
        assert {row["id"] for row in response.json()["results"]} == expected[role], role
        search = world.clients[role].get("/api/v1/cases/?q=streetlight")
        assert search.status_code == 200
        assert {row["id"] for row in search.json()["results"]} == expected[role], role


@pytest.mark.django_db
def test_case_create_access(world: World) -> None:
    with in_council(world.council_a):
        constituent = make_constituent(world.cast.owner)
        shared = make_case(world.cast.owner, constituent=constituent)
        case_set_sharing(actor=world.cast.owner, case=shared, sharing="ward")
    expected = {
        "owner": 201,
        "colleague_unshared": 201,  # sees the constituent through the shared case
        "staff": 201,
        "other_staff": 403,
        "admin": 403,
        "other_councillor": 400,  # cannot see that constituent
        "other_council": 401,
        "anonymous": 401,
    }
    got = {}
    for role in expected:
        response = world.clients[role].post(
            "/api/v1/cases/",
            {"constituent": constituent.pk, "title": "Bins not collected"},
            format="json",
        )
        got[role] = response.status_code
    assert got == expected


@pytest.mark.django_db
def test_surgery_enquiry_access(world: World) -> None:
    expected = {
        "owner": 201,
        "colleague_unshared": 201,
        "staff": 201,
        "other_staff": 403,
        "admin": 403,
        "other_councillor": 201,
        "other_council": 401,
        "anonymous": 401,
    }
    got = {}
    for i, role in enumerate(expected):
        response = world.clients[role].post(
            "/api/v1/surgery/enquiries/",
            {
                "new_constituent": {"name": f"Walk In {i}", "postcode": "KY1 2AB"},
                "title": "Pothole outside the school",
                "category": world.cast.roads.pk,
            },
            format="json",
        )
        got[role] = response.status_code
    assert got == expected


# --- Constituents -----------------------------------------------------------------------------
@pytest.mark.django_db
def test_constituent_endpoints_access(world: World) -> None:
    results: dict[str, dict[str, int]] = {}
    for role in ROLES:
        with in_council(world.council_a):
            constituent = make_constituent(world.cast.owner)
            case = make_case(world.cast.owner, constituent=constituent)
            if role == "colleague_shared":
                case_set_sharing(actor=world.cast.owner, case=case, sharing="ward")
        client = world.clients[role]
        base = f"/api/v1/constituents/{constituent.pk}/"
        results[role] = {
            "list": client.get("/api/v1/constituents/?q=person").status_code,
            "read": client.get(base).status_code,
            "update": client.patch(base, {"notes": "Prefers mornings"}, format="json").status_code,
            "cases": client.get(base + "cases/").status_code,
            "duplicates": client.get(
                "/api/v1/constituents/duplicates/?email=" + constituent.email
            ).status_code,
            "create": client.post(
                "/api/v1/constituents/",
                {"name": f"New Person {role}", "postcode": "KY2 5AA"},
                format="json",
            ).status_code,
        }
    council_user = {"list": 200, "duplicates": 200}
    assert results == {
        "owner": {**council_user, "read": 200, "update": 200, "cases": 200, "create": 201},
        "colleague_unshared": {
            **council_user,
            "read": 404,
            "update": 404,
            "cases": 404,
            "create": 201,
        },
        "colleague_shared": {
            **council_user,
            "read": 200,
            "update": 403,
            "cases": 200,
            "create": 201,
        },
        "staff": {**council_user, "read": 200, "update": 200, "cases": 200, "create": 201},
        "other_staff": {**council_user, "read": 404, "update": 404, "cases": 404, "create": 403},
        "admin": {**council_user, "read": 404, "update": 404, "cases": 404, "create": 403},
        "other_councillor": {
            **council_user,
            "read": 404,
            "update": 404,
            "cases": 404,
            "create": 201,
        },
        "other_council": {
            k: 401 for k in ("list", "read", "update", "cases", "duplicates", "create")
        },
        "anonymous": {k: 401 for k in ("list", "read", "update", "cases", "duplicates", "create")},
    }


# --- Reference data ---------------------------------------------------------------------------
KEEPERS = {"staff": True, "other_staff": True, "admin": True}


def _expect(read: int, write_ok: int, writers: set[str]) -> dict[str, tuple[int, int]]:
    out = {}
    for role in ROLES:
        if role in ("other_council", "anonymous"):
            out[role] = (401, 401)
        else:
            out[role] = (read, write_ok if role in writers else 403)
    return out


@pytest.mark.django_db
def test_officer_endpoints_access(world: World) -> None:
    writers = {"staff", "other_staff", "admin"}
    got = {}
    for i, role in enumerate(ROLES):
        with in_council(world.council_a):
            officer = make_officer(world.cast.admin, topics=[world.cast.housing])
        client = world.clients[role]
        got[role] = (
            client.get("/api/v1/officers/").status_code,
            client.get(f"/api/v1/officers/{officer.pk}/").status_code,
            client.get(f"/api/v1/officers/suggest/?category={world.cast.housing.pk}").status_code,
            client.post(
                "/api/v1/officers/",
                {"name": "Ann Roads", "email": f"ann{i}@council.gov.uk"},
                format="json",
            ).status_code,
            client.patch(
                f"/api/v1/officers/{officer.pk}/", {"is_active": False}, format="json"
            ).status_code,
            client.post(
                "/api/v1/officers/import/",
                {"file": io.BytesIO(f"name,email\nBob,bob{i}@council.gov.uk\n".encode())},
                format="multipart",
            ).status_code,
        )
    for role in ROLES:
        if role in ("other_council", "anonymous"):
            assert got[role] == (401,) * 6, role
        elif role in writers:
            assert got[role] == (200, 200, 200, 201, 200, 200), role
        else:
            assert got[role] == (200, 200, 200, 403, 403, 403), role


@pytest.mark.django_db
def test_admin_reference_endpoints_access(world: World) -> None:
    got = {}
    csv_bytes = b"pcds,osward,wardnm\nKY1 1AA,S13000001,North\n"
    for i, role in enumerate(ROLES):
        client = world.clients[role]
        with in_council(world.council_a):
            holiday = CouncilHoliday.objects.create(
                date=f"2031-07-{i + 1:02d}", name="Local day", source="local"
            )
            staff_user = world.cast.other_staff
            Delegation.objects.filter(staff=staff_user).delete()
            delegation = Delegation.objects.create(
                staff=staff_user,
                councillor=world.cast.other_councillor,
                granted_by=world.cast.admin,
            )
        got[role] = {
            "categories": (
                client.get("/api/v1/categories/").status_code,
                client.post(
                    "/api/v1/categories/", {"name": f"Parks {i}"}, format="json"
                ).status_code,
                client.patch(
                    f"/api/v1/categories/{world.cast.roads.pk}/",
                    {"description": "Roads and pavements"},
                    format="json",
                ).status_code,
            ),
            "wards": (
                client.get("/api/v1/wards/").status_code,
                client.post("/api/v1/wards/", {"name": f"East {i}"}, format="json").status_code,
                client.post(
                    "/api/v1/wards/postcodes/",
                    {"file": io.BytesIO(csv_bytes)},
                    format="multipart",
                ).status_code,
            ),
            "lookup": client.get("/api/v1/wards/lookup/?postcode=KY11AA").status_code,
            "holidays": (
                client.get("/api/v1/holidays/?year=2031").status_code,
                client.post(
                    "/api/v1/holidays/",
                    {"date": f"2031-08-{i + 1:02d}", "name": "Gala day"},
                    format="json",
                ).status_code,
                client.delete(f"/api/v1/holidays/{holiday.pk}/").status_code,
            ),
            "delegations": (
                client.get("/api/v1/delegations/").status_code,
                client.post(
                    "/api/v1/delegations/",
                    {"staff": world.cast.other_staff.pk, "councillor": world.cast.owner.pk},
                    format="json",
                ).status_code,
                client.delete(f"/api/v1/delegations/{delegation.pk}/").status_code,
            ),
            "settings": (
                client.get("/api/v1/caseload-settings/").status_code,
                client.patch(
                    "/api/v1/caseload-settings/", {"referral_target_days": 5}, format="json"
                ).status_code,
            ),
            "dashboard": client.get("/api/v1/dashboard/").status_code,
        }
        if role == "admin":
            # Undo the admin's writes so the next role meets the same state.
            with in_council(world.council_a):
                Delegation.objects.filter(
                    staff=world.cast.other_staff, councillor=world.cast.owner
                ).delete()
    for role in ROLES:
        if role in ("other_council", "anonymous"):
            assert got[role] == {
                "categories": (401, 401, 401),
                "wards": (401, 401, 401),
                "lookup": 401,
                "holidays": (401, 401, 401),
                "delegations": (401, 401, 401),
                "settings": (401, 401),
                "dashboard": 401,
            }, role
        elif role == "admin":
            assert got[role] == {
                "categories": (200, 201, 200),
                "wards": (200, 201, 200),
                "lookup": 200,
                "holidays": (200, 201, 204),
                "delegations": (200, 201, 204),
                "settings": (200, 200),
                "dashboard": 200,
            }, role
        else:
            # A delegation is the councillor's to give (delegation by consent): the owner
            # grants one to themselves (201), the staff member may propose themselves (201);
            # the staff member and the councillor party to one may end it (204); someone not
            # party to it does not learn it exists (404).
            delegations = {
                "owner": (200, 201, 404),
                "other_staff": (200, 201, 204),
                "other_councillor": (200, 403, 204),
            }.get(role, (200, 403, 404))
            assert got[role] == {
                "categories": (200, 403, 403),
                "wards": (200, 403, 403),
                "lookup": 200,
                "holidays": (200, 403, 403),
                "delegations": delegations,
                "settings": (200, 403),
                "dashboard": 200,
            }, role

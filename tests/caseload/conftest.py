"""Caseload fixtures: a cast of people in council A (and an outsider in council B).

`cast` gives, in council A: the owner councillor (ward "North"), a ward colleague (also
"North"), a councillor of another ward, delegated staff, undelegated staff and an admin;
in council B: a councillor. Factories below create through the services.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from accounts.models import User
from caseload.models import Case, Category, Constituent, Officer, Ward
from caseload.services import (
    case_open,
    category_create,
    constituent_create,
    delegation_propose,
    officer_create,
    ward_create,
)
from tests.conftest import in_council


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings) -> None:
    # Every access test signs several people in; the real hasher would dominate run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path_factory):
    """Attachments written by tests go to a temporary folder, never the repo's .data/."""
    from caseload.models import Attachment

    root = tmp_path_factory.mktemp("media")
    settings.MEDIA_ROOT = str(root)
    storage = Attachment._meta.get_field("file").storage
    # TenantFileSystemStorage caches the root and (a django-tenants bug) ignores
    # setting_changed for MEDIA_ROOT, so drop its cache both ways.
    storage.__dict__.pop("relative_media_root", None)
    yield root
    storage.__dict__.pop("relative_media_root", None)


@dataclass
class Cast:
    owner: User
    ward_colleague: User
    other_councillor: User
    staff: User
    other_staff: User
    admin: User
    outsider: User  # a councillor of council B
    north: Ward
    south: Ward
    housing: Category
    roads: Category


@pytest.fixture
def cast(council_a, council_b, make_user) -> Cast:
    owner = make_user(council_a, role="councillor", ward="North", email="owner@a.gov.uk")
    colleague = make_user(council_a, role="councillor", ward="North", email="colleague@a.gov.uk")
    other = make_user(council_a, role="councillor", ward="South", email="other@a.gov.uk")
    staff = make_user(council_a, role="staff", email="staff@a.gov.uk")
    other_staff = make_user(council_a, role="staff", email="staff2@a.gov.uk")
    admin = make_user(council_a, role="admin", email="admin@a.gov.uk")
    outsider = make_user(council_b, role="councillor", ward="North", email="owner@b.gov.uk")
    with in_council(council_a):
        delegation_propose(actor=owner, staff=staff, councillor=owner)
        north = ward_create(actor=admin, name="North", code="S13000001")
        south = ward_create(actor=admin, name="South", code="S13000002")
        housing = category_create(actor=admin, name="Housing")
        roads = category_create(actor=admin, name="Roads")
    return Cast(
        owner, colleague, other, staff, other_staff, admin, outsider, north, south, housing, roads
    )


_counter = {"n": 0}


def make_constituent(actor: User, **fields: Any) -> Constituent:
    _counter["n"] += 1
    n = _counter["n"]
    defaults: dict[str, Any] = {
        "name": f"Person {n} Example",
        "postcode": "KY1 1AA",
        "email": f"person{n}@example.com",
        "phone": f"0159200{n:04d}",
        "allow_duplicate": True,
    }
    defaults.update(fields)
    return constituent_create(actor=actor, **defaults)


def make_case(actor: User, constituent: Constituent | None = None, **fields: Any) -> Case:
    constituent = constituent or make_constituent(actor, owner=fields.get("owner"))
    fields.setdefault("title", "Broken streetlight on Main Street")
    return case_open(actor=actor, constituent=constituent, **fields)


def make_officer(actor: User, **fields: Any) -> Officer:
    _counter["n"] += 1
    fields.setdefault("name", f"Officer {_counter['n']}")
    fields.setdefault("email", f"officer{_counter['n']}@council.gov.uk")
    return officer_create(actor=actor, **fields)

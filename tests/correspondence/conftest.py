"""Correspondence fixtures: people, a case and a referral in council A; an outsider in B."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from accounts.models import User
from caseload.models import Case, Constituent, Officer, Referral
from caseload.services import (
    case_open,
    category_create,
    constituent_create,
    delegation_propose,
    officer_create,
    referral_create,
    ward_create,
)
from tests.conftest import in_council


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    # Letters, attachments and stored inbound mail are files: keep them out of .data/.
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _email_settings(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.INBOUND_EMAIL_DOMAIN = "inbound.localhost"
    settings.DEFAULT_FROM_EMAIL = "Councillor Caseload <noreply@localhost>"


@dataclass
class People:
    owner: User
    colleague: User
    staff: User
    other_staff: User
    admin: User
    outsider: User  # a councillor of council B
    outsider_staff: User  # staff of council B


_n = {"n": 0}


def _next() -> int:
    _n["n"] += 1
    return _n["n"]


@pytest.fixture
def people(council_a, council_b, make_user) -> People:
    owner = make_user(
        council_a, role="councillor", ward="North", email="owner@a.gov.uk", name="Cllr Ann Owen"
    )
    colleague = make_user(council_a, role="councillor", ward="South", email="colleague@a.gov.uk")
    staff = make_user(council_a, role="staff", email="staff@a.gov.uk", name="Sam Staff")
    other_staff = make_user(council_a, role="staff", email="staff2@a.gov.uk")
    admin = make_user(council_a, role="admin", email="admin@a.gov.uk")
    outsider = make_user(council_b, role="councillor", ward="North", email="owner@b.gov.uk")
    outsider_staff = make_user(council_b, role="staff", email="staff@b.gov.uk")
    with in_council(council_a):
        delegation_propose(actor=owner, staff=staff, councillor=owner)
        ward_create(actor=admin, name="North", code="S13000001")
        category_create(actor=admin, name="Roads")
    return People(owner, colleague, staff, other_staff, admin, outsider, outsider_staff)


def make_constituent(actor: User, **fields: Any) -> Constituent:
    n = _next()
    defaults: dict[str, Any] = {
        "name": f"Jane Example{n}",
        "address": "12 High Street\nKirkcaldy",
        "postcode": "KY1 1AA",
        "email": f"jane{n}@example.com",
        "allow_duplicate": True,
    }
    defaults.update(fields)
    return constituent_create(actor=actor, **defaults)


def make_case(actor: User, constituent: Constituent | None = None, **fields: Any) -> Case:
    constituent = constituent or make_constituent(actor)
    fields.setdefault("title", "Broken streetlight on Main Street")
    return case_open(actor=actor, constituent=constituent, **fields)


def make_officer(actor: User, **fields: Any) -> Officer:
    n = _next()
    fields.setdefault("name", f"Olive Officer{n}")
    fields.setdefault("email", f"officer{n}@council-a.gov.uk")
    fields.setdefault("job_title", "Lighting Engineer")
    fields.setdefault("service", "Roads and Lighting")
    return officer_create(actor=actor, **fields)


@dataclass
class Scene:
    case: Case
    referral: Referral
    officer: Officer


@pytest.fixture
def scene(council_a, people) -> Scene:
    """A case of the owner's, with consent to share, referred to an officer."""
    with in_council(council_a):
        constituent = make_constituent(people.owner, consent_to_share=True)
        case = make_case(people.owner, constituent)
        officer = make_officer(people.admin)
        referral = referral_create(
            actor=people.owner, case=case, officer=officer, note="Please check the lamp."
        )
        case.refresh_from_db()
    return Scene(case=case, referral=referral, officer=officer)

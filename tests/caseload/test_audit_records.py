"""Sign-ins, failed sign-ins and sign-outs, and changes to who can sign in, are written to
the audit log of the council they happen in (central staff's to public's)."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from caseload import services
from tests.conftest import host_for, in_council, sign_in
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def _last_id() -> int:
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _new(before: int) -> list[tuple[str, int | None, str]]:
    return [
        (e.action, e.actor_id, e.actor_email)
        for e in AuditEntry.objects.filter(pk__gt=before).order_by("id")
    ]


def test_web_sign_in_failure_and_sign_out(cast, council_a, council_b) -> None:
    client = Client(HTTP_HOST=host_for(council_a))
    with in_council(council_a):
        before = _last_id()
    with in_council(council_b):
        before_b = _last_id()
    typed = "  Owner@A.gov.uk "
    wrong = client.post("/login/", {"username": typed, "password": "not-the-password-1"})
    assert wrong.status_code == 200
    nobody = client.post("/login/", {"username": "nobody@a.gov.uk", "password": "x" * 12})
    assert nobody.status_code == 200
    assert sign_in(client, council_a, cast.owner).status_code == 302
    assert client.post("/logout/").status_code == 302
    with in_council(council_a):
        entries = list(AuditEntry.objects.filter(pk__gt=before).order_by("id"))
    assert [(e.action, e.actor_id) for e in entries] == [
        ("sign_in_failed", None),
        ("sign_in_failed", None),
        ("sign_in", cast.owner.pk),
        ("sign_out", cast.owner.pk),
    ]
    failed, unknown = entries[0], entries[1]
    # The address as typed (trimmed, lower-cased), tied to the account it names; never the
    # password.
    assert failed.actor_email == "owner@a.gov.uk" and failed.subject_user_id == cast.owner.pk
    assert failed.detail == {"step": "password", "locked_out": False, "known_account": True}
    assert "not-the-password" not in str(failed.detail) + failed.summary
    assert unknown.actor_email == "nobody@a.gov.uk" and unknown.subject_user_id is None
    assert entries[2].ip_address == "127.0.0.1"
    with in_council(council_b):
        assert _last_id() == before_b  # another council's log is untouched


def test_api_token_sign_in_wrong_code_and_sign_out(cast, council_a) -> None:
    from tests.conftest import enrol_second_factor, recovery_code

    api = Client(HTTP_HOST=host_for(council_a))
    enrol_second_factor(council_a, cast.admin)
    with in_council(council_a):
        before = _last_id()
    body = {"email": cast.admin.email, "password": DEFAULT_PASSWORD, "otp": "000000"}
    assert api.post("/api/v1/auth/token/", body, content_type="application/json").status_code == 401
    body["otp"] = recovery_code(council_a, cast.admin)
    ok = api.post("/api/v1/auth/token/", body, content_type="application/json")
    assert ok.status_code == 200
    token = ok.json()["token"]
    out = api.post("/api/v1/auth/logout/", HTTP_AUTHORIZATION=f"Token {token}")
    assert out.status_code == 204
    with in_council(council_a):
        entries = list(AuditEntry.objects.filter(pk__gt=before).order_by("id"))
    assert [(e.action, e.actor_id) for e in entries] == [
        ("sign_in_failed", None),
        ("sign_in", cast.admin.pk),
        ("sign_out", cast.admin.pk),
    ]
    assert entries[0].detail["step"] == "second_factor"
    assert entries[1].detail == {"via": "api_token"}


def test_central_staff_sign_ins_go_to_the_public_log(make_user) -> None:
    central = make_user(None, email="central@platform.gov.uk")
    client = Client(HTTP_HOST=host_for(None))
    with schema_context("public"):
        before = _last_id()
    assert sign_in(client, None, central).status_code == 302
    with schema_context("public"):
        assert ("sign_in", central.pk, central.email) in _new(before)


def test_users_added_deactivated_and_reactivated_are_recorded(cast, council_a) -> None:
    with in_council(council_a):
        before = _last_id()
        added = services.member_add(
            actor=cast.admin, email="new@a.gov.uk", role="staff", name="New Person"
        )
        services.member_deactivate(actor=cast.admin, user=added)
        services.member_reactivate(actor=cast.admin, user=added)
        entries = list(AuditEntry.objects.filter(pk__gt=before).order_by("id"))
    assert [(e.action, e.actor_id, e.subject_user_id) for e in entries] == [
        ("user_added", cast.admin.pk, added.pk),
        ("user_deactivated", cast.admin.pk, added.pk),
        ("user_reactivated", cast.admin.pk, added.pk),
    ]
    assert entries[0].detail == {"role": "staff", "email": "new@a.gov.uk", "ward": ""}

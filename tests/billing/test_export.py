"""GET /api/v1/export/: a council admin's day-to-day export, in every licence state.

Settings, users, officers, templates and statistics; never casework (issue 14)."""

from __future__ import annotations

import base64
import json

import pytest
from django_tenants.utils import schema_context

from billing.export import ADMIN_EXPORT_MODELS, counted_models, export_models
from billing.models import LicenceState
from caseload.services.referrals import referral_create
from correspondence.models import CorrespondenceSettings
from correspondence.services.links import referral_link_ensure, referral_link_token
from tests.billing.conftest import set_state
from tests.caseload.conftest import make_case, make_constituent, make_officer


def _export(client) -> dict:
    response = client.get("/api/v1/export/")
    assert response.status_code == 200, response.content
    assert response["Content-Disposition"].startswith("attachment;")
    return json.loads(b"".join(response.streaming_content))


def _rows(document: dict, label: str) -> list[dict]:
    block = document["models"][label]
    return [dict(zip(block["fields"], row, strict=True)) for row in block["rows"]]


@pytest.mark.parametrize("state", list(LicenceState.values))
def test_export_works_in_every_state(state, council_a, api_for, make_user) -> None:
    admin = make_user(council_a, role="admin", email="boss@a.gov.uk")
    make_user(council_a, role="councillor", email="cllr@a.gov.uk", ward="Ward 1")
    client = api_for(council_a, admin)
    set_state(council_a, state)
    document = _export(client)
    assert document["council"] == "council-a" and document["licence_state"] == state
    users = {u["email"]: u for u in _rows(document, "accounts.user")}
    assert {"boss@a.gov.uk", "cllr@a.gov.uk"} <= set(users)
    assert users["cllr@a.gov.uk"]["ward"] == "Ward 1"


def test_export_leaves_out_secrets_and_bookkeeping(council_a, api_for, make_user) -> None:
    admin = make_user(council_a, role="admin")
    document = _export(api_for(council_a, admin))
    labels = set(document["models"])
    assert "accounts.user" in labels
    assert not labels & {
        "knox.authtoken",
        "sessions.session",
        "auth.permission",
        "contenttypes.contenttype",
    }
    assert "password" not in document["models"]["accounts.user"]["fields"]
    text = json.dumps(document)
    assert "pbkdf2_" not in text and "argon2" not in text


def test_export_carries_only_the_named_models_and_counts_the_rest() -> None:
    carried = {m._meta.label_lower for m in export_models()}
    counted = {m._meta.label_lower for m in counted_models()}
    assert carried == set(ADMIN_EXPORT_MODELS)
    assert not carried & counted
    # Casework, activity and second-factor devices are never carried as rows.
    assert {
        "caseload.case",
        "caseload.constituent",
        "caseload.action",
        "caseload.attachment",
        "caseload.referral",
        "correspondence.referrallink",
        "correspondence.inboundemail",
        "mailer.outboundemail",
        "audit.auditentry",
        "otp_totp.totpdevice",
    } <= counted


def test_an_admin_cannot_export_casework_alone(council_a, api_for, make_user) -> None:
    admin = make_user(council_a, role="admin", email="boss@a.gov.uk")
    councillor = make_user(council_a, role="councillor", email="cllr@a.gov.uk", ward="North")
    with schema_context(council_a.schema_name):
        person = make_constituent(councillor, name="Zebedee Quintessential")
        case = make_case(councillor, person, title="Flooded basement at Quarry Lane")
        officer = make_officer(admin, name="Olive Officer")
        referral = referral_create(actor=councillor, case=case, officer=officer)
        link = referral_link_ensure(referral=referral)
        token = referral_link_token(referral=referral)
    document = _export(api_for(council_a, admin))
    text = json.dumps(document)
    for casework in ("Zebedee", "Quarry Lane", case.reference, str(link.nonce), token):
        assert casework not in text, casework
    assert "caseload.case" not in document["models"]
    assert "correspondence.referrallink" not in document["models"]
    # What an admin runs the council with is there, and the casework is only counted.
    assert "Olive Officer" in {r["name"] for r in _rows(document, "caseload.officer")}
    assert "cllr@a.gov.uk" in {r["email"] for r in _rows(document, "accounts.user")}
    stats = document["statistics"]
    assert stats["caseload.case"] == 1 and stats["caseload.constituent"] == 1
    assert stats["caseload.referral"] == 1 and stats["correspondence.referrallink"] == 1


def test_export_is_admin_only_and_never_another_councils(
    council_a, council_b, api_for, make_user
) -> None:
    make_user(council_b, role="councillor", email="only-in-b@b.gov.uk")
    councillor = make_user(council_a, role="councillor")
    assert api_for(council_a, councillor).get("/api/v1/export/").status_code == 403
    assert api_for(council_a).get("/api/v1/export/").status_code == 401
    admin = make_user(council_a, role="admin")
    document = _export(api_for(council_a, admin))
    assert "only-in-b@b.gov.uk" not in json.dumps(document)
    central = api_for(None, make_user(None, email="central@body.gov.uk"))
    assert central.get("/api/v1/export/").status_code == 404


def test_export_query_count_does_not_grow_with_rows(council_a, api_for, make_user) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = make_user(council_a, role="admin")
    client = api_for(council_a, admin)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            _export(client)
        return len(ctx.captured_queries)

    for i in range(5):
        make_user(council_a, role="staff", email=f"s{i}@a.gov.uk")
    few = count()
    for i in range(5, 50):
        make_user(council_a, role="staff", email=f"s{i}@a.gov.uk")
    assert count() == few


def test_export_carries_the_letterhead_logo_as_base64(council_a, api_for, make_user) -> None:
    """A binary field (the letterhead's logo) is base64 text in the JSON, not a broken stream."""
    admin = make_user(council_a, role="admin", email="boss@a.gov.uk")
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    with schema_context(council_a.schema_name):
        CorrespondenceSettings.objects.update_or_create(
            pk=1, defaults={"logo": png, "logo_content_type": "image/png"}
        )
    document = _export(api_for(council_a, admin))
    [settings_row] = _rows(document, "correspondence.correspondencesettings")
    assert base64.b64decode(settings_row["logo"]) == png

"""GET /api/v1/export/: a council admin downloads everything, in every licence state."""

from __future__ import annotations

import json

import pytest

from billing.export import export_models
from billing.models import LicenceState
from tests.billing.conftest import set_state


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


def test_export_includes_every_tenant_app_model_generically(settings) -> None:
    labels = {m._meta.label_lower for m in export_models()}
    assert "accounts.user" in labels
    if "caseload" in settings.TENANT_APPS:
        # Cases and the rest come along without any change to the export.
        assert "caseload.case" in labels


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

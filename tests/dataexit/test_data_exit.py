"""The two-admin data exit (issue 14), end to end and rule by rule.

One admin requests the full casework export with a reason; a different admin approves it
(the requester cannot), every councillor is emailed, the Celery task builds the archive
(run here in the test's own schema, as the worker would), an admin downloads it (audited)
and the hourly sweep deletes it when it expires. A council with a single admin cannot
exit this way; an admin of another council cannot see or approve it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from audit.models import AuditEntry
from dataexit import archive, tasks
from dataexit.models import DataExit
from dataexit.services import data_exit_build, data_exit_expire_due
from mailer.models import OutboundEmail
from tests.conftest import force_sign_in, host_for, in_council

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_builds(monkeypatch):
    """The build task, queued on commit, runs at once in the schema it was queued from (the
    worker would do the same through tenant-schemas-celery's header)."""
    ran: list[int] = []

    def delay(*, data_exit_id: int) -> None:
        ran.append(data_exit_id)
        tasks.data_exit_build_task.run(data_exit_id=data_exit_id)

    monkeypatch.setattr(tasks.data_exit_build_task, "delay", delay)
    return ran


def _actions(council):
    with in_council(council):
        return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))


def _read_zip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def _rows(zf: zipfile.ZipFile, label: str) -> list[dict]:
    body = json.loads(zf.read(f"data/{label}.json"))
    return [dict(zip(body["fields"], row, strict=True)) for row in body["rows"]]


def test_two_admin_exit_end_to_end(
    cast, seeded, council_a, api_for, run_builds, django_capture_on_commit_callbacks
):
    first = api_for(council_a, cast.admin)
    second = api_for(council_a, seeded.second_admin)

    requested = first.post(
        "/api/v1/data-exits/", {"reason": "Leaving the service in March"}, format="json"
    )
    assert requested.status_code == 201, requested.content
    exit_id = requested.json()["id"]
    assert requested.json()["status"] == "requested"
    # The requester alone cannot take the casework: approving their own request is refused.
    own = first.post(f"/api/v1/data-exits/{exit_id}/approve/")
    assert own.status_code == 403
    assert first.get(f"/api/v1/data-exits/{exit_id}/download/").status_code == 422

    with django_capture_on_commit_callbacks(execute=True):
        approved = second.post(f"/api/v1/data-exits/{exit_id}/approve/")
    assert approved.status_code == 200, approved.content
    assert run_builds == [exit_id]

    detail = first.get(f"/api/v1/data-exits/{exit_id}/").json()
    assert detail["status"] == "ready"
    assert detail["percent"] == 100
    assert detail["progress_done"] == detail["progress_total"] > 0
    expires = timezone.datetime.fromisoformat(detail["expires_at"])
    assert timedelta(hours=71) < expires - timezone.now() <= timedelta(hours=72)

    # Every active councillor was told, through the outbox.
    with in_council(council_a):
        told = OutboundEmail.objects.filter(kind="data_exit").values_list("to", flat=True)
        told = {tuple(t) for t in told}
    assert told == {
        (cast.owner.email,),
        (cast.ward_colleague.email,),
        (cast.other_councillor.email,),
    }

    download = first.get(f"/api/v1/data-exits/{exit_id}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    data = b"".join(download.streaming_content)
    assert hashlib.sha256(data).hexdigest() == detail["archive_sha256"]
    zf = _read_zip(data)

    manifest = archive.read_manifest(io.BytesIO(data))  # checks every file's SHA-256
    assert manifest["format"] == "caseload-data-exit"
    assert manifest["format_version"] == 1
    assert manifest["council"]["slug"] == council_a.slug
    assert manifest["models"]["caseload.case"]["count"] == 2
    assert manifest["models"]["caseload.constituent"]["count"] == 2
    assert set(manifest["files"]) == set(zf.namelist()) - {"manifest.json"}

    cases = _rows(zf, "caseload.case")
    assert {c["title"] for c in cases} == {"Damp in the bedroom", "Pothole on the High Street"}
    assert "search_vector" not in json.loads(zf.read("data/caseload.case.json"))["fields"]
    people = {p["name"] for p in _rows(zf, "caseload.constituent")}
    assert "Agnes Example" in people
    assert any("Rang Agnes" in a["text"] for a in _rows(zf, "caseload.action"))
    assert [r["note"] for r in _rows(zf, "caseload.referral")] == ["Please look"]
    officers = _rows(zf, "caseload.officer")
    assert officers[0]["topics"] == [] and officers[0]["name"] == "Olive Officer"
    for label in ("caseload.category", "caseload.ward", "correspondence.counciltemplate"):
        assert label in manifest["models"]
    assert "reminders.bf" in manifest["models"]

    # Users, without any credential.
    users = json.loads(zf.read("data/accounts.user.json"))
    assert "password" not in users["fields"]
    assert {u["email"] for u in _rows(zf, "accounts.user")} >= {cast.owner.email}
    assert not any(n.startswith("data/otp_") or "authtoken" in n for n in zf.namelist())
    assert "data/correspondence.referrallink.json" not in zf.namelist()

    # The attachment itself, byte for byte, where its row says.
    (row,) = _rows(zf, "caseload.attachment")
    assert zf.read(row["file"]) == seeded.attachment.file.open("rb").read()

    # The outbound email, without its live officer-reply link.
    emails = [e for e in _rows(zf, "mailer.outboundemail") if e["kind"] == "test"]
    assert "officer-reply/abc" not in emails[0]["body_text"]
    assert archive.REPLY_LINK_REMOVED in emails[0]["body_text"]
    assert "claim_token" not in json.loads(zf.read("data/mailer.outboundemail.json"))["fields"]

    # Spreadsheets: readable names, formulas neutralised.
    sheet = list(csv.reader(io.StringIO(zf.read("csv/cases.csv").decode("utf-8-sig"))))
    assert sheet[0][:3] == ["Reference", "Title", "Status"]
    assert {r[1] for r in sheet[1:]} == {"Damp in the bedroom", "Pothole on the High Street"}
    actions = zf.read("csv/actions.csv").decode("utf-8-sig")
    assert "Rang Agnes; =1+2 damp" in actions
    for name in ("constituents", "referrals"):
        assert f"csv/{name}.csv" in manifest["csv"]

    # Expiry: the sweep deletes the file and marks it expired; no more downloads.
    with in_council(council_a):
        stored = DataExit.objects.get(pk=exit_id).archive_name
        assert default_storage.exists(stored)
        with django_capture_on_commit_callbacks(execute=True):
            assert data_exit_expire_due(now=timezone.now()) == 0
            assert data_exit_expire_due(now=expires + timedelta(seconds=1)) == 1
        assert not default_storage.exists(stored)
        assert DataExit.objects.get(pk=exit_id).status == "expired"
    assert first.get(f"/api/v1/data-exits/{exit_id}/download/").status_code == 422

    kinds = [k for k in _actions(council_a) if k.startswith("data_exit")]
    assert kinds == [
        "data_exit_requested",
        "data_exit_approved",
        "data_exit_ready",
        "data_exit_downloaded",
        "data_exit_expired",
    ]
    with in_council(council_a):
        downloaded = AuditEntry.objects.get(action="data_exit_downloaded")
        assert downloaded.actor_id == cast.admin.pk
        assert downloaded.detail["data_exit_id"] == exit_id


def test_a_single_admin_cannot_exit_and_is_told_to_add_another(cast, council_a, api_for):
    admin = api_for(council_a, cast.admin)
    response = admin.post("/api/v1/data-exits/", {"reason": "Leaving"}, format="json")
    assert response.status_code == 422
    assert "second administrator" in response.json()["error"]["message"]
    client = Client(HTTP_HOST=host_for(council_a))
    force_sign_in(client, council_a, cast.admin)
    page = client.get("/data-exit/").content.decode()
    assert "Add a second administrator" in page
    assert 'name="reason"' not in page
    with in_council(council_a):
        assert not DataExit.objects.exists()


def test_a_reason_is_required(cast, seeded, council_a, api_for):
    admin = api_for(council_a, cast.admin)
    assert admin.post("/api/v1/data-exits/", {"reason": "  "}, format="json").status_code == 400
    client = Client(HTTP_HOST=host_for(council_a))
    force_sign_in(client, council_a, cast.admin)
    page = client.post("/data-exit/", {"reason": ""})
    assert page.status_code == 200
    assert "Enter the reason for the export" in page.content.decode()
    with in_council(council_a):
        assert not DataExit.objects.exists()


def test_only_admins_and_only_the_other_admin_decides(cast, seeded, council_a, api_for):
    for person in (cast.owner, cast.staff):
        client = api_for(council_a, person)
        assert client.post("/api/v1/data-exits/", {"reason": "x"}, format="json").status_code == 403
        assert client.get("/api/v1/data-exits/").status_code == 403
    first = api_for(council_a, cast.admin)
    second = api_for(council_a, seeded.second_admin)
    exit_id = first.post("/api/v1/data-exits/", {"reason": "Audit"}, format="json").json()["id"]
    # One at a time.
    again = second.post("/api/v1/data-exits/", {"reason": "Again"}, format="json")
    assert again.status_code == 409
    # The requester can neither approve nor refuse; the other admin cannot cancel.
    assert first.post(f"/api/v1/data-exits/{exit_id}/refuse/").status_code == 403
    assert second.post(f"/api/v1/data-exits/{exit_id}/cancel/").status_code == 403
    refused = second.post(
        f"/api/v1/data-exits/{exit_id}/refuse/", {"note": "Not agreed"}, format="json"
    )
    assert refused.json()["status"] == "refused"
    assert second.post(f"/api/v1/data-exits/{exit_id}/approve/").status_code == 422
    # A new request, withdrawn by its requester.
    other = first.post("/api/v1/data-exits/", {"reason": "Audit 2"}, format="json").json()["id"]
    assert first.post(f"/api/v1/data-exits/{other}/cancel/").json()["status"] == "cancelled"
    assert second.post(f"/api/v1/data-exits/{other}/approve/").status_code == 422
    kinds = [k for k in _actions(council_a) if k.startswith("data_exit")]
    assert kinds == [
        "data_exit_requested",
        "data_exit_refused",
        "data_exit_requested",
        "data_exit_cancelled",
    ]
    with in_council(council_a):
        assert not OutboundEmail.objects.filter(kind="data_exit").exists()


def test_another_councils_admin_cannot_see_or_approve(
    cast, seeded, council_a, council_b, make_user, api_for
):
    first = api_for(council_a, cast.admin)
    exit_id = first.post("/api/v1/data-exits/", {"reason": "Audit"}, format="json").json()["id"]
    b_admin = make_user(council_b, role="admin", email="admin@b.gov.uk")
    in_b = api_for(council_b, b_admin)
    # On B's host the id is B's (none): 404; B's token on A's host is not a session there.
    assert in_b.get(f"/api/v1/data-exits/{exit_id}/").status_code == 404
    assert in_b.post(f"/api/v1/data-exits/{exit_id}/approve/").status_code == 404
    assert in_b.get("/api/v1/data-exits/").json()["results"] == []
    token = in_b._credentials["HTTP_AUTHORIZATION"]
    on_a = Client(HTTP_HOST=host_for(council_a), HTTP_AUTHORIZATION=token)
    assert on_a.post(f"/api/v1/data-exits/{exit_id}/approve/").status_code == 401
    with in_council(council_a):
        assert DataExit.objects.get(pk=exit_id).status == "requested"


def test_the_page_shows_requests_to_the_other_admin_and_polls_the_build(
    cast, seeded, council_a, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(tasks.data_exit_build_task, "delay", lambda **kw: None)
    requester = Client(HTTP_HOST=host_for(council_a))
    force_sign_in(requester, council_a, cast.admin)
    made = requester.post("/data-exit/", {"reason": "Moving supplier"}, follow=True)
    assert "Another administrator must approve it" in made.content.decode()
    assert "Approve the export" not in made.content.decode()
    assert "Cancel my request" in made.content.decode()
    with in_council(council_a):
        exit_ = DataExit.objects.get()
    approver = Client(HTTP_HOST=host_for(council_a))
    force_sign_in(approver, council_a, seeded.second_admin)
    page = approver.get("/data-exit/").content.decode()
    assert "Moving supplier" in page and "Approve the export" in page
    with django_capture_on_commit_callbacks(execute=True):
        approver.post(f"/data-exit/{exit_.pk}/approve/")
    # Building (the worker has not run): a progress bar that htmx refreshes, and a link.
    page = approver.get("/data-exit/").content.decode()
    assert "<progress" in page and 'hx-trigger="every 2s"' in page
    assert "refresh the page" in page
    progress = f"/data-exit/{exit_.pk}/progress/"
    fresh = approver.get(progress, HTTP_HX_REQUEST="true")
    assert fresh.status_code == 200
    assert approver.get(progress + "?seen=approved:0:0", HTTP_HX_REQUEST="true").status_code == 204
    with in_council(council_a):
        data_exit_build(data_exit_id=exit_.pk)
    done = approver.get(progress + "?seen=approved:0:0", HTTP_HX_REQUEST="true")
    assert done.status_code == 200 and "Download the archive" in done.content.decode()
    download = approver.get(f"/data-exit/{exit_.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    # Not for anyone else: a councillor gets the 403 page.
    councillor = Client(HTTP_HOST=host_for(council_a))
    force_sign_in(councillor, council_a, cast.owner)
    assert councillor.get("/data-exit/").status_code == 403
    assert councillor.get(f"/data-exit/{exit_.pk}/download/").status_code == 403


def test_the_build_is_idempotent(
    cast, seeded, council_a, api_for, run_builds, django_capture_on_commit_callbacks
):
    first = api_for(council_a, cast.admin)
    second = api_for(council_a, seeded.second_admin)
    exit_id = first.post("/api/v1/data-exits/", {"reason": "Audit"}, format="json").json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        second.post(f"/api/v1/data-exits/{exit_id}/approve/")
    with in_council(council_a):
        built = DataExit.objects.get(pk=exit_id)
        # A re-delivered task finds it ready and changes nothing.
        again = data_exit_build(data_exit_id=exit_id)
        assert (again.status, again.archive_name) == ("ready", built.archive_name)
        assert AuditEntry.objects.filter(action="data_exit_ready").count() == 1

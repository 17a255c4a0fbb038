"""Onboarding a council: stages, progress, failure at each stage leaving nothing behind,
the welcome email with its set-password link, the form and the API."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from billing.models import Licence
from console.models import OnboardingJob
from console.services import onboarding_job_create, onboarding_run
from console.services import provisioning as provisioning_module
from console.services.onboarding import onboarding_live_stage
from core.errors import ValidationFailed
from mailer.models import OutboundEmail
from tenants.models import Council, Domain
from tests.console.conftest import public_outbox

pytestmark = pytest.mark.django_db

DETAILS = {
    "name": "Angus Council",
    "slug": "angus",
    "contact_email": "members@angus.gov.uk",
    "trial_days": 60,
    "seats": 12,
    "admin_email": "Admin@Angus.gov.uk",
    "admin_name": "Morag Admin",
}


@pytest.fixture(autouse=True)
def _site_on_port_8000(settings) -> None:
    # As under `make run`: links carry the platform's scheme and port (core.links).
    settings.PLATFORM_URL_SCHEME = "http"
    settings.PLATFORM_URL_PORT = "8000"


def _job(**overrides) -> OnboardingJob:
    return onboarding_job_create(actor="analyst@central.example.gov.uk", **{**DETAILS, **overrides})


def _schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [name])
        return cursor.fetchone() is not None


def _nothing_left(slug: str, job: OnboardingJob) -> None:
    assert not Council.objects.filter(slug=slug).exists()
    assert not Domain.objects.filter(domain__startswith=f"{slug}.").exists()
    assert not Licence.objects.filter(council__slug=slug).exists()
    assert not _schema_exists(slug.replace("-", "_"))
    assert not OutboundEmail.objects.filter(dedupe_key__startswith=f"onboarding-welcome:{job.pk}:")


def test_onboarding_creates_everything_and_sends_a_working_welcome_link(
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        job = _job()
    assert job.status == OnboardingJob.Status.QUEUED
    assert len(callbacks) == 1  # the Celery task is queued after commit

    job = onboarding_run(job_id=job.pk)

    assert job.status == OnboardingJob.Status.SUCCEEDED, job.error
    assert job.stage == OnboardingJob.Stage.DONE
    council = Council.objects.get(slug="angus")
    assert council.status == Council.Status.READY
    assert council.contact_email == "members@angus.gov.uk"
    assert Domain.objects.get(tenant=council).domain == "angus.localhost"
    licence = Licence.objects.get(council=council)
    assert (licence.state, licence.seats) == ("trial", 12)
    with schema_context("angus"):
        admin = User.objects.get()
        assert (admin.email, admin.role, admin.name) == (
            "admin@angus.gov.uk",
            "admin",
            "Morag Admin",
        )
        assert not admin.has_usable_password()

    [email] = public_outbox(kind="onboarding_welcome")
    assert email.to == ["admin@angus.gov.uk"]
    assert job.welcome_email_id == email.pk
    link = re.search(r"http://angus\.localhost:8000(/set-password/\S+/)", email.body_text)
    assert link, email.body_text
    # The link works on the council's own host: the admin chooses a password and signs in.
    browser = Client(HTTP_HOST="angus.localhost")
    form_url = browser.get(link.group(1))["Location"]
    browser.post(form_url, {"new_password1": "Heather-loch-77", "new_password2": "Heather-loch-77"})
    signed_in = Client(HTTP_HOST="angus.localhost").post(
        "/login/", {"username": "admin@angus.gov.uk", "password": "Heather-loch-77"}
    )
    assert signed_in.status_code == 302

    # Running the task again (a redelivery) changes nothing.
    again = onboarding_run(job_id=job.pk)
    assert again.status == OnboardingJob.Status.SUCCEEDED
    assert Council.objects.filter(slug="angus").count() == 1


def _boom(*args, **kwargs):
    raise RuntimeError("disk on fire")


@pytest.mark.parametrize(
    ("stage", "patch"),
    [
        ("schema", ("tenants.services.clone_template_into", _boom)),
        ("domain", ("domain", None)),
        ("licence", ("console.services.provisioning.licence_start_trial", _boom)),
        ("admin", ("console.services.provisioning.user_create", _boom)),
        ("email", ("console.services.onboarding.outbox_enqueue", _boom)),
    ],
)
def test_failure_at_each_stage_leaves_nothing_behind(monkeypatch, stage, patch) -> None:
    target, replacement = patch
    if target == "domain":
        monkeypatch.setattr(Domain.objects, "create", _boom)
    else:
        monkeypatch.setattr(target, replacement)
    job = _job()

    job = onboarding_run(job_id=job.pk)

    assert job.status == OnboardingJob.Status.FAILED
    assert job.failed_stage == stage
    assert "disk on fire" in job.error
    assert OnboardingJob.Stage(stage).label in job.error
    _nothing_left("angus", job)


def test_failure_at_validation_when_the_slug_was_taken_meanwhile(council_a) -> None:
    job = _job()
    # Another council took the name after the job was queued.
    Council.objects.filter(pk=council_a.pk).update(name="Angus Council")
    job = onboarding_run(job_id=job.pk)
    assert job.status == OnboardingJob.Status.FAILED
    assert job.failed_stage == "validate"
    assert "already exists" in job.error
    _nothing_left("angus", job)


def test_details_are_refused_at_once_with_reasons_per_field(council_a) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _job(slug="Bad_Slug", admin_email="nope", trial_days=0, seats=0, name="")
    assert set(exc.value.extra) == {"slug", "admin_email", "trial_days", "seats", "name"}
    from core.errors import Conflict

    with pytest.raises(Conflict):
        _job(slug="council-a")
    _job()
    with pytest.raises(Conflict, match="already being created"):
        _job()


def test_progress_page_follows_the_live_stage(monkeypatch, central_client) -> None:
    job = _job()
    seen = {}
    real = provisioning_module.licence_start_trial

    def watching(**kwargs):
        # Mid-transaction: the job row says running, the cache says which stage.
        job_now = OnboardingJob.objects.get(pk=job.pk)
        seen["stage"] = onboarding_live_stage(job=job_now)
        seen["page"] = central_client.get(f"/councils/jobs/{job.pk}/").content.decode()
        poll = central_client.get(f"/councils/jobs/{job.pk}/", HTTP_HX_REQUEST="true")
        seen["poll"] = poll.content.decode()
        key = re.search(r'\?seen=([^"]+)"', seen["poll"]).group(1)
        seen["unchanged"] = central_client.get(
            f"/councils/jobs/{job.pk}/?seen={key}", HTTP_HX_REQUEST="true"
        ).status_code
        return real(**kwargs)

    monkeypatch.setattr("console.services.provisioning.licence_start_trial", watching)
    onboarding_run(job_id=job.pk)

    assert seen["stage"] == "licence"
    page = seen["page"]
    # No meta refresh: htmx polls inside a live region, and a link reloads without JavaScript.
    assert "http-equiv" not in page
    assert 'aria-live="polite"' in page and 'hx-trigger="every 2s"' in page
    assert "check the progress</a>" in page
    assert 'value="3"' in page  # validate, schema, domain done: 3 of 6
    # The poll gets the status and, out of band, the steps; nothing when nothing changed.
    assert 'hx-swap-oob="true"' in seen["poll"] and "<html" not in seen["poll"]
    assert seen["unchanged"] == 204
    assert "Starting the trial licence" in page
    done = central_client.get(f"/councils/jobs/{job.pk}/").content.decode()
    assert "Council created" in done
    assert 'value="6"' in done
    assert "http-equiv" not in done
    assert "hx-trigger" not in done  # finished: the polling stops


def test_failed_job_page_says_what_went_wrong(monkeypatch, central_client) -> None:
    monkeypatch.setattr("console.services.provisioning.licence_start_trial", _boom)
    job = onboarding_run(job_id=_job().pk)
    page = central_client.get(f"/councils/jobs/{job.pk}/").content.decode()
    assert "The council was not created" in page
    assert "disk on fire" in page
    assert "Nothing was left behind" in page


def test_onboarding_form_queues_a_job_and_shows_errors(central_client, council_a) -> None:
    bad = central_client.post("/councils/new/", {**DETAILS, "slug": "council-a"})
    assert bad.status_code == 400
    assert "There is a problem" in bad.content.decode()
    response = central_client.post("/councils/new/", DETAILS)
    job = OnboardingJob.objects.get(slug="angus")
    assert response.status_code == 302
    assert response["Location"] == f"/councils/jobs/{job.pk}/"
    assert job.requested_by == "analyst@central.example.gov.uk"


def test_resend_welcome_gives_a_new_link_until_the_password_is_set(central_client) -> None:
    job = onboarding_run(job_id=_job().pk)
    response = central_client.post(f"/councils/jobs/{job.pk}/resend-welcome/")
    assert response.status_code == 302
    assert len(public_outbox(kind="onboarding_welcome")) == 2
    with schema_context("angus"):
        admin = User.objects.get()
        admin.set_password("Heather-loch-77")
        admin.save()
    refused = central_client.post(f"/councils/jobs/{job.pk}/resend-welcome/", follow=True)
    assert "has already set a password" in refused.content.decode()
    assert len(public_outbox(kind="onboarding_welcome")) == 2


def test_api_onboards_with_202_and_a_job_to_follow(api_for, central, council_a) -> None:
    api = api_for(None, central)
    response = api.post("/api/v1/platform/councils/", DETAILS, format="json")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "queued"
    assert body["status_url"] == f"/api/v1/platform/councils/jobs/{body['id']}/"
    assert response["Location"] == body["status_url"]

    onboarding_run(job_id=body["id"])
    status = api.get(body["status_url"]).json()
    assert status["status"] == "succeeded"
    assert status["council"] == "angus"
    assert [s["state"] for s in status["stages"]] == ["done"] * 6
    assert status["welcome_email_status"] == "queued"

    conflict = api.post("/api/v1/platform/councils/", {**DETAILS, "slug": "council-a"})
    assert conflict.status_code == 409
    assert conflict.json()["error"]["code"] == "conflict"
    invalid = api.post("/api/v1/platform/councils/", {**DETAILS, "slug": "Bad_Slug"})
    assert invalid.status_code == 400
    assert "slug" in invalid.json()["error"]["fields"]


def test_api_reports_a_failed_job(api_for, central, monkeypatch) -> None:
    monkeypatch.setattr("console.services.provisioning.user_create", _boom)
    api = api_for(None, central)
    body = api.post("/api/v1/platform/councils/", DETAILS, format="json").json()
    onboarding_run(job_id=body["id"])
    status = api.get(body["status_url"]).json()
    assert (status["status"], status["failed_stage"]) == ("failed", "admin")
    assert "disk on fire" in status["error"]
    assert [s["state"] for s in status["stages"]] == [
        "done",
        "done",
        "done",
        "done",
        "failed",
        "not_started",
    ]


def test_a_job_the_broker_missed_can_be_queued_again(
    central_client, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    job = _job()
    OnboardingJob.objects.filter(pk=job.pk).update(created_at=job.created_at - timedelta(minutes=5))
    page = central_client.get(f"/councils/jobs/{job.pk}/").content.decode()
    assert "Queue it again" in page
    queued = []
    monkeypatch.setattr("console.services.onboarding._queue_run", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        central_client.post(f"/councils/jobs/{job.pk}/queue-again/")
    assert queued == [job.pk]
    onboarding_run(job_id=job.pk)
    refused = central_client.post(f"/councils/jobs/{job.pk}/queue-again/", follow=True)
    assert "already started" in refused.content.decode()

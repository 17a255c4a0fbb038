"""The public "Start a free trial" page, email confirmation, the central queue, rate limits."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from console.models import AllowedEmailDomain, OnboardingJob, TrialRequest
from console.services import trial_slug_for
from tests.console.conftest import public_outbox

pytestmark = pytest.mark.django_db


def _form(**overrides) -> dict:
    start = timezone.localdate() + timedelta(days=14)
    data = {
        "council_name": "Moray Council",
        "contact_name": "Iona Officer",
        "email": "iona.officer@moray.gov.uk",
        "councillors": "8",
        "start_day": str(start.day),
        "start_month": str(start.month),
        "start_year": str(start.year),
    }
    data.update(overrides)
    return data


def _public(client_ip: str) -> Client:
    return Client(HTTP_HOST="localhost", REMOTE_ADDR=client_ip)


def _confirm_path(email_body: str) -> str:
    match = re.search(r"http://localhost(/start-trial/confirm/\S+/)", email_body)
    assert match, email_body
    return match.group(1)


def test_slugs_from_council_names() -> None:
    assert trial_slug_for("Fife Council") == "fife"
    assert trial_slug_for("The Highland Council") == "highland"
    assert trial_slug_for("City of Edinburgh Council") == "city-of-edinburgh"
    assert trial_slug_for("Comhairle nan Eilean Siar") == "comhairle-nan-eilean-siar"


def test_front_page_and_sign_in_lead_anonymous_visitors_to_the_trial_page(client_ip) -> None:
    browser = _public(client_ip)
    home = browser.get("/")
    assert home.status_code == 200
    assert 'href="/start-trial/"' in home.content.decode()
    login = browser.get("/login/")
    assert 'href="/start-trial/"' in login.content.decode()
    page = browser.get("/start-trial/")
    assert page.status_code == 200
    assert "Start a free trial" in page.content.decode()


def test_request_confirm_then_approve(client_ip, central_client) -> None:
    browser = _public(client_ip)
    response = browser.post("/start-trial/", _form())
    assert response.status_code == 302, response.content.decode()
    trial = TrialRequest.objects.get()
    assert (trial.slug, trial.status, trial.councillors) == ("moray", "unconfirmed", 8)
    [email] = public_outbox(kind="trial_request_confirm")
    assert email.to == ["iona.officer@moray.gov.uk"]
    assert "Check your email" in browser.get(response["Location"]).content.decode()

    path = _confirm_path(email.body_text)
    # Opening the link (as a mail scanner would) confirms nothing; the button does.
    assert "Confirm my request" in browser.get(path).content.decode()
    trial.refresh_from_db()
    assert trial.status == "unconfirmed"
    assert "Request received" in browser.post(path).content.decode()
    trial.refresh_from_db()
    assert trial.status == "confirmed"
    assert public_outbox(kind="trial_request_received")
    assert browser.post(path).status_code == 200  # again: no change, no error

    queue = central_client.get("/trial-requests/").content.decode()
    assert "Moray Council" in queue
    approved = central_client.post(f"/trial-requests/{trial.pk}/approve/", {})
    job = OnboardingJob.objects.get(trial_request=trial)
    assert approved["Location"] == f"/councils/jobs/{job.pk}/"
    assert (job.slug, job.admin_email, job.seats) == ("moray", "iona.officer@moray.gov.uk", 8)
    # The trial runs its full length from the start date asked for.
    assert job.trial_days == 90 + 14
    trial.refresh_from_db()
    assert trial.status == "approved"
    assert trial.decided_by == "analyst@central.example.gov.uk"
    [told] = public_outbox(kind="trial_request_approved")
    assert "moray.localhost" in told.body_text
    again = central_client.post(f"/trial-requests/{trial.pk}/approve/", {})
    assert again.status_code == 400  # no longer waiting


def test_decline_needs_a_reason_and_tells_the_requester(client_ip, central_client) -> None:
    browser = _public(client_ip)
    browser.post("/start-trial/", _form())
    [email] = public_outbox(kind="trial_request_confirm")
    browser.post(_confirm_path(email.body_text))
    trial = TrialRequest.objects.get()

    empty = central_client.post(f"/trial-requests/{trial.pk}/decline/", {"reason": ""})
    assert empty.status_code == 400
    response = central_client.post(
        f"/trial-requests/{trial.pk}/decline/",
        {"reason": "Your council already evaluates another product this year."},
    )
    assert response.status_code == 302
    trial.refresh_from_db()
    assert trial.status == "declined"
    [told] = public_outbox(kind="trial_request_declined")
    assert "already evaluates another product" in told.body_text
    assert not OnboardingJob.objects.exists()


def test_work_email_must_be_public_sector_unless_allowed(client_ip) -> None:
    browser = _public(client_ip)
    refused = browser.post("/start-trial/", _form(email="iona@gmail.com"))
    assert refused.status_code == 400
    assert "council email address" in refused.content.decode()
    assert not TrialRequest.objects.exists()

    AllowedEmailDomain.objects.create(domain="moray-trust.org.uk", added_by="tests")
    ok = browser.post("/start-trial/", _form(email="iona@hr.moray-trust.org.uk"))
    assert ok.status_code == 302
    for email in ("a@fife.gov.scot", "b@nhs.scot", "c@glasgow.ac.uk", "d@x.llyw.cymru"):
        assert (
            browser.post(
                "/start-trial/", _form(email=email, council_name=f"Test {email[0]} Council")
            ).status_code
            == 302
        )


def test_duplicates_are_refused_with_a_clear_message(client_ip, council_a) -> None:
    browser = _public(client_ip)
    existing = browser.post("/start-trial/", _form(council_name="Council A"))
    assert existing.status_code == 400
    assert "Council A is already on the platform" in existing.content.decode()

    browser.post("/start-trial/", _form())
    [email] = public_outbox(kind="trial_request_confirm")
    browser.post(_confirm_path(email.body_text))
    pending = browser.post("/start-trial/", _form(email="someone.else@moray.gov.uk"))
    assert pending.status_code == 400
    assert "already waiting for the central body" in pending.content.decode()


def test_requests_are_rate_limited_per_address_and_per_email(client_ip, settings) -> None:
    browser = _public(client_ip)
    for n in range(settings.CONSOLE_TRIAL_REQUESTS_PER_IP_HOUR):
        response = browser.post(
            "/start-trial/", _form(council_name=f"Town {n} Council", email=f"p{n}@town.gov.uk")
        )
        assert response.status_code == 302
    limited = browser.post("/start-trial/", _form(council_name="Another Council"))
    assert limited.status_code == 429
    assert "Too many trial requests from your network" in limited.content.decode()

    other = Client(HTTP_HOST="localhost", REMOTE_ADDR=client_ip.replace("198.51", "203.0"))
    for n in range(settings.CONSOLE_TRIAL_REQUESTS_PER_EMAIL_DAY):
        other.post(
            "/start-trial/", _form(council_name=f"Village {n} Council", email="same@x.gov.uk")
        )
    same_email = other.post(
        "/start-trial/", _form(council_name="Last Council", email="same@x.gov.uk")
    )
    assert same_email.status_code == 429
    assert "for this email address" in same_email.content.decode()


def test_invalid_or_expired_confirmation_links(client_ip, settings) -> None:
    browser = _public(client_ip)
    bad = browser.post("/start-trial/confirm/not-a-token/")
    assert bad.status_code == 400
    assert "not valid" in bad.content.decode()
    browser.post("/start-trial/", _form())
    [email] = public_outbox(kind="trial_request_confirm")
    settings.CONSOLE_TRIAL_CONFIRM_HOURS = 0
    expired = browser.post(_confirm_path(email.body_text))
    assert expired.status_code == 400
    assert "expired" in expired.content.decode()


def test_form_errors_are_per_field(client_ip) -> None:
    response = _public(client_ip).post(
        "/start-trial/",
        _form(council_name="", councillors="0", start_day="31", start_month="2"),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert 'href="#id_council_name"' in body


def test_central_body_manages_allowed_domains(central_client) -> None:
    added = central_client.post(
        "/trial-requests/email-domains/", {"domain": "Example-Trust.org.uk", "note": "ALEO"}
    )
    assert added.status_code == 302
    domain = AllowedEmailDomain.objects.get()
    assert domain.domain == "example-trust.org.uk"
    public = central_client.post("/trial-requests/email-domains/", {"domain": "fife.gov.uk"})
    assert public.status_code == 400
    central_client.post(f"/trial-requests/email-domains/{domain.pk}/remove/")
    assert not AllowedEmailDomain.objects.exists()

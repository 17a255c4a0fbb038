"""Every link the platform sends by email (or hands to Stripe as a redirect) is built by
core.links: under a non-default port each one names the right host and port, and the page
it points at answers when followed."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from billing.models import Licence, LicenceState
from billing.services import (
    licence_transition,
    licence_transition_notify,
    trial_notice_send,
    trial_notices_create,
)
from billing.services.subscriptions import council_billing_url
from caseload.services import (
    case_open,
    constituent_create,
    officer_create,
    referral_create,
)
from console.services import onboarding_job_create, onboarding_run, trial_request_create
from console.services.onboarding import onboarding_resend_welcome
from core.links import council_host, council_url, current_council_url, platform_url
from correspondence.services import correspondence_send_email
from correspondence.services.notify import (
    notify_councillor_of_inbound,
    notify_councillor_of_officer_response,
)
from mailer.services import outbox_deliver
from reminders.services import bf_add, reminders_council_digest
from tests.conftest import in_council
from tests.console.conftest import _forget_trial_rate_limits  # noqa: F401  (clears Redis keys)
from tests.factories import DEFAULT_PASSWORD
from tests.reminders.conftest import today_is

pytestmark = pytest.mark.django_db

PORT = "8123"
DAY = date(2026, 3, 10)  # a Tuesday: the digest runs on working days only
_LINK = re.compile(r"https?://[^\s<>\"']+")


@pytest.fixture(autouse=True)
def _site_on_a_non_default_port(settings) -> None:
    settings.PLATFORM_URL_SCHEME = "http"
    settings.PLATFORM_URL_PORT = PORT
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()


def _delivered(schema: str) -> list:
    """Deliver what the schema's outbox holds (a worker's job) and return what was sent."""
    with schema_context(schema):
        outbox_deliver()
    return list(mail.outbox)


def _links(body: str, path_prefix: str) -> list[str]:
    found = [url for url in _LINK.findall(body) if urlsplit(url).path.startswith(path_prefix)]
    assert found, f"no link to {path_prefix} in:\n{body}"
    return found


def _follow(url: str, *, host: str, user=None) -> None:
    """Open the link as its reader would: on the host and port it names (signed in as
    `user` where the page needs it). The page must answer, not send them elsewhere."""
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("http", f"{host}:{PORT}"), url
    browser = Client(HTTP_HOST=parts.netloc)
    if user is not None:
        signed_in = browser.post("/login/", {"username": user.email, "password": DEFAULT_PASSWORD})
        assert signed_in.status_code == 302, signed_in.content
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    response = browser.get(target, follow=True)
    assert response.status_code == 200, (url, response.status_code)
    assert not response.redirect_chain or "/login/" not in response.redirect_chain[-1][0], url


@pytest.fixture
def case_scene(council_a, make_user):
    owner = make_user(council_a, role="councillor", email="owner@a.gov.uk", name="Cllr Owen")
    admin = make_user(council_a, role="admin", email="admin@a.gov.uk")
    with in_council(council_a):
        constituent = constituent_create(
            actor=owner,
            name="Jane Example",
            address="12 High Street",
            postcode="KY1 1AA",
            email="jane@example.com",
            consent_to_share=True,
            allow_duplicate=True,
        )
        case = case_open(actor=owner, constituent=constituent, title="Broken streetlight")
        officer = officer_create(
            actor=admin, name="Olive Officer", email="olive@council-a.gov.uk", job_title="Eng"
        )
        referral = referral_create(actor=owner, case=case, officer=officer, note="Please look.")
    return owner, admin, case, referral


def test_the_builder_uses_the_platform_settings(settings, council_a) -> None:
    assert council_host("fife") == "fife.localhost"
    assert council_url(slug="fife", path="/cases/") == "http://fife.localhost:8123/cases/"
    assert platform_url("/councils/") == "http://localhost:8123/councils/"
    with in_council(council_a):
        assert current_council_url("/x/") == "http://council-a.localhost:8123/x/"
    settings.PLATFORM_URL_SCHEME, settings.PLATFORM_URL_PORT = "https", ""
    assert council_url(slug="fife") == "https://fife.localhost/"
    with pytest.raises(ValueError):
        council_url(slug="fife", path="cases/")
    with pytest.raises(RuntimeError):
        current_council_url("/")  # in public: no council to name


def test_officer_reply_link_in_the_referral_email(council_a, case_scene) -> None:
    owner, _, case, referral = case_scene
    with in_council(council_a):
        correspondence_send_email(actor=owner, key="referral", case=case, referral=referral)
    [email] = _delivered(council_a.schema_name)
    [link] = _links(email.body, "/officer-reply/")
    _follow(link, host="council-a.localhost")  # the officer has no account


def test_councillor_notices_link_to_the_case(council_a, case_scene) -> None:
    owner, _, case, referral = case_scene
    with in_council(council_a):
        notify_councillor_of_officer_response(
            referral=referral, response="reply", text="Fixed.", new_target_date=None
        )
        notify_councillor_of_inbound(case=case, inbound_id=1, sender="jane@example.com")
    sent = _delivered(council_a.schema_name)
    assert len(sent) == 2
    for email in sent:
        [link] = _links(email.body, "/cases/")
        assert link.endswith(f"/cases/{case.pk}/")
        _follow(link, host="council-a.localhost", user=owner)


def test_digest_links_to_each_case_and_the_dashboard(council_a, case_scene) -> None:
    owner, _, case, _ = case_scene
    with in_council(council_a):
        with today_is(date(2026, 3, 5)):
            bf_add(actor=owner, case=case, due_date=DAY, reason="Ring back")
        assert reminders_council_digest(day=DAY).digests == 1
    [digest] = [m for m in _delivered(council_a.schema_name) if m.to == [owner.email]]
    case_links = _links(digest.body, "/cases/")
    assert f"http://council-a.localhost:{PORT}/cases/{case.pk}/" in case_links
    html = digest.alternatives[0][0]
    assert f'href="http://council-a.localhost:{PORT}/"' in html
    for link in [*case_links, *_links(digest.body, "/")]:
        _follow(link, host="council-a.localhost", user=owner)


def test_welcome_and_set_password_emails(make_user) -> None:
    job = onboarding_job_create(
        actor="analyst@central.example.gov.uk",
        name="Angus Council",
        slug="angus",
        admin_email="admin@angus.gov.uk",
    )
    job = onboarding_run(job_id=job.pk)
    assert job.status == job.Status.SUCCEEDED, job.error
    onboarding_resend_welcome(job=job, actor="analyst@central.example.gov.uk")
    first, again = _delivered("public")
    for email in (first, again):
        assert f"http://angus.localhost:{PORT}\n" in email.body  # the council's address
        [link] = _links(email.body, "/set-password/")
        _follow(link, host="angus.localhost")  # lands on the choose-a-password form


def test_trial_request_confirmation_link_is_on_the_central_site() -> None:
    trial_request_create(
        council_name="Moray Council",
        contact_name="Iona Officer",
        email="iona.officer@moray.gov.uk",
        councillors=8,
        start_date=timezone.localdate() + timedelta(days=14),
        client_ip="198.51.200.9",
    )
    [email] = _delivered("public")
    [link] = _links(email.body, "/start-trial/confirm/")
    _follow(link, host="localhost")


def test_billing_notices_and_stripe_redirects_link_to_the_billing_page(
    council_a, make_user, monkeypatch
) -> None:
    from billing import tasks

    monkeypatch.setattr(tasks.trial_notice_send, "delay", lambda **kw: None)
    monkeypatch.setattr(tasks.licence_notify_transition, "delay", lambda **kw: None)
    admin = make_user(council_a, role="admin", email="boss@a.gov.uk")
    now = timezone.now()
    Licence.objects.filter(council=council_a).update(
        state=LicenceState.TRIAL, trial_ends_at=now + timedelta(days=13, hours=12)
    )
    [notice] = trial_notices_create(now=now)
    trial_notice_send(notice_id=notice)
    licence = Licence.objects.get(council=council_a)
    transition = licence_transition(
        licence=licence, to_state=LicenceState.TRIAL_EXTENDED, actor="tests", reason="More time"
    )
    licence_transition_notify(transition_id=transition.pk)
    sent = _delivered("public")
    assert len(sent) == 2
    links = [link for email in sent for link in _links(email.body, "/billing/")]
    links += [
        council_billing_url(council_a),
        council_billing_url(council_a, "/billing/?checkout=done"),
        council_billing_url(council_a, "/billing/?checkout=cancelled"),
    ]
    for link in links:
        _follow(link, host="council-a.localhost", user=admin)

"""Browser tests: Playwright for Python driving Debian's Chromium against a live server.

* The server is Django's threaded live server (`LiveServerThread`) in this process, on a free
  loopback port, started once per session. Being in-process it serves the test database,
  the test settings and the in-memory mail outbox; a council answers on
  `http://<slug>.localhost:<port>/` (Chromium resolves `*.localhost` to the loopback) and the
  central body on `http://localhost:<port>/`, through the same CouncilMiddleware as production.
  pytest-django's own `live_server` is not used: it forces `transactional_db`, whose flush
  after each test would truncate the councils every other test relies on.
* The data is committed, not rolled back (the server's threads have their own connections):
  two councils seeded with the demo generator (`make run`'s data), one of them lapsed, and
  the central body's analyst. They are dropped at the end of the session, and the browser
  tests run after every other test (tests/conftest.py orders them last).
* One Chromium for the session; one browser context per signed-in person, reused.
* Each test carries pytest-django's `django_db` mark (tests/conftest.py adds it), which is
  what makes pytest-django create the test database; the test's own ORM calls then run in a
  transaction that is rolled back. They only read (what the server committed: the outbox,
  a job's state): everything a journey changes, it changes through the browser.

Chromium is Debian's (`make test` installs it as root when it is missing). Without it these
tests skip with the reason, except where CASELOAD_REQUIRE_BROWSER=1 (CI sets it), where they
fail instead: a CI run must not pass with the browser tests silently skipped.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import override_settings
from django.test.testcases import LiveServerThread
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from tenants.models import Council
from tests.browser.support import launch_chromium, require_chromium

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SIZES = {"desktop": DESKTOP, "phone": PHONE}
PASSWORD = "demo-caseload-2026"
CENTRAL_EMAIL = "central@localhost"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    return require_chromium()


@dataclass
class LiveServer:
    port: int

    def host(self, council: Council | None) -> str:
        if council is None:
            return settings.PLATFORM_DOMAIN
        return f"{council.slug}.{settings.PLATFORM_DOMAIN}"

    def url(self, council: Council | None, path: str = "/") -> str:
        return f"http://{self.host(council)}:{self.port}{path}"


@dataclass
class World:
    """The committed data the browser tests see (the demo generator's, as `make run` has)."""

    council: Council  # trial, full demo casework
    lapsed: Council  # the same kind of data, licence lapsed
    media_root: Path
    # Pages reached from an email, not from another page: path on `council`'s host (or the
    # central body's, for the trial confirmation).
    officer_reply_path: str = ""
    set_password_path: str = ""
    trial_confirm_path: str = ""

    def direct_paths(self, council: Council | None) -> dict[str, str]:
        """Pages to open by address when no link in the crawl reached them, by route."""
        if council is None:
            return {}
        from caseload.models import Case

        # The councillor's own cases, which their staff see too: with one visit per route
        # (lapsed council), a case of another councillor would be a 404 for them.
        mine = Case.objects.filter(owner__email=self.email("councillor", council))
        with schema_context(council.schema_name):
            closed = mine.filter(status="closed").order_by("id").first()
            with_files = mine.filter(attachments__isnull=False).order_by("id").first()
        assert closed is not None and with_files is not None
        connection.set_schema_to_public()
        return {
            "caseload:case-detail": f"/cases/{closed.pk}/",
            "caseload:case-reopen": f"/cases/{closed.pk}/reopen/",
            "caseload:attachment-download": f"/cases/{with_files.pk}/",
            "feedback:survey": "/survey/",
            "feedback:results": "/survey/results/",
        }

    def email(self, role: str, council: Council | None = None) -> str:
        if role == "central":
            return CENTRAL_EMAIL
        council = council or self.council
        return f"{role}@{council.slug}.example.gov.uk"


def _seed(slug: str, name: str, wards: list[str], trial_days: int, hashed: str) -> Council:
    """One council as `seed_demo` makes it (localdev.demo_seeder), under our own trial length."""
    from console.services import council_provision
    from localdev.demo_seeder import (
        COUNCILLORS_PER_COUNCIL,
        DEMO_SEEDERS,
        _seed_people,
        enrol_demo_second_factor,
    )

    rng = random.Random(f"demo-{slug}")
    council = Council.objects.filter(slug=slug).first() or (
        council_provision(
            slug=slug,
            name=name,
            seats=COUNCILLORS_PER_COUNCIL + 2,
            trial_days=trial_days,
            actor="browser tests",
        ).council
    )
    _seed_people(council, wards, rng, hashed)
    with schema_context(council.schema_name):
        enrol_demo_second_factor()  # admins sign in with the demo authenticator key
    for seed in DEMO_SEEDERS:
        seed(council=council, rng=rng)
    return council


def _councillor_uses_two_factor(council: Council) -> None:
    """Journey 1's councillor has set up two-factor sign-in (with the demo key), so the
    journey signs in with a code as well as the password."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from localdev.demo_seeder import demo_totp_key

    with schema_context(council.schema_name):
        user = User.objects.get(email=f"councillor@{council.slug}.example.gov.uk")
        if not TOTPDevice.objects.filter(user=user).exists():
            TOTPDevice.objects.create(user=user, name="Phone", key=demo_totp_key(), confirmed=True)


def _add_attachments(council: Council) -> None:
    """The demo generator attaches no files; a case page with a long file name is one that
    overflowed on a phone, so the councillor's most recent case gets two."""
    from caseload.models import Case
    from caseload.services.attachments import attachment_add

    with schema_context(council.schema_name):
        owner = User.objects.get(email=f"councillor@{council.slug}.example.gov.uk")
        case = Case.objects.filter(owner=owner).exclude(status="closed").order_by("-id").first()
        if case is None or case.attachments.exists():
            return
        png = (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00"
            b"\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05"
            b"\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
        )
        for filename in (
            "photo-of-the-blocked-drain-outside-the-close-taken-on-tuesday-morning.png",
            "letter.pdf",
        ):
            body = png if filename.endswith(".png") else b"%PDF-1.4\n%%EOF\n"
            attachment_add(
                actor=owner,
                case=case,
                file=SimpleUploadedFile(filename, body),
            )


def _add_triage_mail(council: Council) -> None:
    """Mail from a stranger, unsigned (so unverified), waiting in Members' Services' triage
    queue: its page is one a long unbroken subject and address could overflow on a phone."""
    from correspondence.models import InboundEmail
    from correspondence.services import inbound_receive

    with schema_context(council.schema_name):
        if InboundEmail.objects.filter(status="triage").exists():
            return
    domain = "inbound.localhost"  # inbound mail is not set up in these settings
    raw = (
        "From: A Very Long Name Indeed <a.resident.with.a.very.long.address@example.org>\r\n"
        f"To: {council.slug}@{domain}\r\n"
        "Subject: Streetlight-outside-number-forty-two-has-been-out-since-last-month\r\n"
        f"Message-ID: <triage-{council.slug}@example.org>\r\n"
        "Content-Type: text/plain\r\n\r\nThe light has been out for weeks.\r\n"
    ).encode()
    with override_settings(INBOUND_EMAIL_DOMAIN=domain):
        (result,) = inbound_receive(raw=raw)
    assert result.status == "triage", result
    connection.set_schema_to_public()


def _add_batches(council: Council) -> None:
    """A PDF batch reply sent by the councillor and one by the staff member (for a
    councillor they act for), so each reaches a batch's page and its print file."""
    from caseload.models import Case, Delegation
    from correspondence.models import Batch
    from correspondence.services import batch_create, batch_process

    with schema_context(council.schema_name):
        if Batch.objects.exists():
            return
        councillor = User.objects.get(email=f"councillor@{council.slug}.example.gov.uk")
        staff = User.objects.get(email=f"staff@{council.slug}.example.gov.uk")
        supported = Delegation.objects.filter(staff=staff).values_list("councillor_id", flat=True)
        for sender, owner_ids in ((councillor, [councillor.pk]), (staff, list(supported))):
            ids = list(
                Case.objects.filter(owner_id__in=owner_ids)
                .exclude(status="closed")
                .order_by("id")
                .values_list("pk", flat=True)[:2]
            )
            assert ids, f"no open case for {sender.email}'s batch"
            batch = batch_create(actor=sender, key="outcome", case_ids=ids, channel="pdf")
            batch_process(batch_id=batch.pk)
    connection.set_schema_to_public()


def _add_subject_access(council: Council) -> None:
    """A subject access request recorded by the councillor and one by the staff member (for
    a councillor they act for), each with a record confirmed, so their pages and archives
    are crawled."""
    from caseload.models import Constituent, Delegation
    from privacy.models import SubjectAccessRequest
    from privacy.services import subject_access_confirm, subject_access_open

    with schema_context(council.schema_name):
        if SubjectAccessRequest.objects.exists():
            return
        councillor = User.objects.get(email=f"councillor@{council.slug}.example.gov.uk")
        staff = User.objects.get(email=f"staff@{council.slug}.example.gov.uk")
        supported = Delegation.objects.filter(staff=staff).values_list("councillor_id", flat=True)
        for handler, owner_id in ((councillor, councillor.pk), (staff, supported[0])):
            person = Constituent.objects.filter(owner_id=owner_id).order_by("id").first()
            assert person is not None, f"no constituent for {handler.email}'s request"
            sar = subject_access_open(
                actor=handler,
                councillor=User.objects.get(pk=owner_id),
                requester_name=person.name,
                received_on=timezone.localdate(),
                email=person.email,
                constituent=person,
            )
            subject_access_confirm(actor=handler, sar=sar, constituent_ids=[person.pk])
    connection.set_schema_to_public()


def _copy_a_template(council: Council) -> None:
    """The council's copy of the first template listed, so its edit form and live preview
    are among the pages crawled."""
    from correspondence.models import CouncilTemplate
    from correspondence.selectors import template_list_effective
    from correspondence.services import template_copy

    with schema_context(council.schema_name):
        admin = User.objects.get(email=f"admin@{council.slug}.example.gov.uk")
        first = template_list_effective(user=admin)[0]
        if first.source == "shared" and not CouncilTemplate.objects.exists():
            template_copy(actor=admin, key=first.key)
    connection.set_schema_to_public()


def _emailed_links(council: Council) -> dict[str, str]:
    """Links people receive by email, made the way the emails make them (committed, so the
    live server sees them)."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from caseload.models import Referral
    from correspondence.services.links import referral_link_token

    with schema_context(council.schema_name):
        referral = (
            Referral.objects.filter(replied_at__isnull=True)
            .exclude(case__status="closed")
            .order_by("id")
            .first()
        )
        assert referral is not None, "the demo data has no unanswered referral"
        invited = User.objects.get(email=f"staff2@{council.slug}.example.gov.uk")
        uid = urlsafe_base64_encode(force_bytes(invited.pk))
        return {
            "officer_reply_path": f"/officer-reply/{referral_link_token(referral=referral)}/",
            "set_password_path": (
                f"/set-password/{uid}/{default_token_generator.make_token(invited)}/"
            ),
        }


def _console_queue(council: Council) -> str:
    """What the central body's queues hold on a working day: trial requests waiting for
    review, declined, and still unconfirmed; onboarding jobs running, failed and done.
    Returns the unconfirmed request's confirmation path."""
    import datetime

    from django.urls import reverse
    from django.utils import timezone

    from console.models import OnboardingJob, TrialRequest
    from console.services.trials import trial_confirm_token

    today = timezone.localdate()
    requests = {}
    for slug, name, status, extra in (
        ("moray", "Moray Council", "confirmed", {}),
        ("angus", "Angus Council", "declined", {"decline_reason": "Already in talks."}),
        ("orkney-islands", "Orkney Islands Council", "unconfirmed", {}),
    ):
        requests[status] = TrialRequest.objects.filter(slug=slug).first() or (
            TrialRequest.objects.create(
                council_name=name,
                slug=slug,
                contact_name="Morag Fraser",
                email=f"members.services@{slug}.gov.uk",
                councillors=12,
                start_date=today + datetime.timedelta(days=14),
                status=status,
                confirmed_at=timezone.now() if status != "unconfirmed" else None,
                **extra,
            )
        )
    for slug, name, status, stage, extra in (
        ("highland", "Highland Council", "running", "schema", {}),
        (
            "falkirk",
            "Falkirk Council",
            "failed",
            "domain",
            {"failed_stage": "domain", "error": "The web address is already in use."},
        ),
        (council.slug, council.name, "succeeded", "done", {"council": council}),
    ):
        if not OnboardingJob.objects.filter(slug=slug).exists():
            OnboardingJob.objects.create(
                name=name,
                slug=slug,
                trial_days=90,
                seats=10,
                admin_email=f"admin@{slug}.gov.uk",
                status=status,
                stage=stage,
                **extra,
            )
    return reverse(
        "console:trial-confirm",
        urlconf=settings.PUBLIC_SCHEMA_URLCONF,
        kwargs={"token": trial_confirm_token(requests["unconfirmed"])},
    )


def _drop(council: Council) -> None:
    from billing.models import Licence
    from tenants.models import Domain

    Licence.objects.filter(council=council).delete()
    Domain.objects.filter(tenant=council).delete()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{council.schema_name}" CASCADE')
    Council.objects.filter(pk=council.pk).delete()


@pytest.fixture(scope="session")
def world(chromium_path, django_db_setup, django_db_blocker) -> Iterator[World]:
    from accounts.services import user_create
    from billing.services.licences import licence_transition
    from localdev.demo_councils import DEMO_COUNCILS
    from localdev.demo_seeder import enrol_demo_second_factor

    media = Path(tempfile.mkdtemp(prefix="browser-media-"))
    overrides = override_settings(MEDIA_ROOT=str(media))
    overrides.enable()
    hashed = make_password(PASSWORD)
    with django_db_blocker.unblock():
        # Everything the browser tests add (these councils, and those a journey onboards)
        # goes at the end; the session's own councils stay.
        keep = set(Council.objects.values_list("pk", flat=True))
        (slug, name, wards), (lapsed_slug, lapsed_name, lapsed_wards) = DEMO_COUNCILS[:2]
        council = _seed(slug, name, wards, 60, hashed)
        lapsed = _seed(lapsed_slug, lapsed_name, lapsed_wards, 30, hashed)
        _add_attachments(council)
        _add_attachments(lapsed)
        _add_triage_mail(council)
        _add_triage_mail(lapsed)  # before it lapses: a read-only council files nothing
        _add_batches(council)
        _add_batches(lapsed)
        _add_subject_access(council)
        _add_subject_access(lapsed)
        _copy_a_template(council)
        _copy_a_template(lapsed)
        _councillor_uses_two_factor(council)
        licence = lapsed.licence
        if not licence.is_read_only:
            licence_transition(
                licence=licence, to_state="lapsed", actor="browser tests", reason="Trial ended"
            )
        with schema_context("public"):
            if not User.objects.filter(email=CENTRAL_EMAIL).exists():
                user_create(email=CENTRAL_EMAIL, name="Central Body Analyst", role="central")
            User.objects.filter(email=CENTRAL_EMAIL).update(password=hashed)
            enrol_demo_second_factor()
        links = _emailed_links(council)
        trial_confirm_path = _console_queue(council)
        connection.set_schema_to_public()
        try:
            yield World(
                council=council,
                lapsed=lapsed,
                media_root=media,
                trial_confirm_path=trial_confirm_path,
                **links,
            )
        finally:
            connection.set_schema_to_public()
            from console.models import OnboardingJob, TrialRequest

            OnboardingJob.objects.all().delete()
            TrialRequest.objects.all().delete()
            for made in Council.objects.exclude(pk__in=keep):
                _drop(made)
            overrides.disable()
            shutil.rmtree(media, ignore_errors=True)


@pytest.fixture(scope="session")
def server(world) -> Iterator[LiveServer]:
    thread = LiveServerThread("127.0.0.1", StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    # Links in emails (officer replies, set-password) carry the live server's port.
    links = override_settings(PLATFORM_URL_PORT=str(thread.port))
    links.enable()
    try:
        yield LiveServer(port=thread.port)
    finally:
        links.disable()
        thread.terminate()


@pytest.fixture(scope="session")
def browser(chromium_path, server) -> Iterator:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser steps are still plain synchronous code. (It starts after `world`: the
    # test database must be set up before that loop exists; and it closes before the server
    # stops, so no request thread is left holding a database connection.)
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()
            # Connections the tests opened while Playwright's loop ran belong to that context
            # (asgiref's Local): close them here, or the test database cannot be dropped.
            connections.close_all()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous

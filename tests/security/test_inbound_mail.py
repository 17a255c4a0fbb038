"""Inbound mail authenticity: a message changes a case or a referral only when its sender
is authenticated. Every message here is real: signed with a real DKIM key (or forged the way
an attacker would), checked by dkimpy with only the DNS answer stubbed
(tests/dkim_support.py)."""

from __future__ import annotations

from types import SimpleNamespace

import dkim
import pytest
from django_tenants.utils import schema_context

from caseload.models import Case, Referral
from correspondence.models import InboundEmail
from correspondence.receivers import anymail_inbound_received
from correspondence.services import inbound_receive
from tests.conftest import in_council
from tests.correspondence.inbound_support import eml
from tests.correspondence.test_inbound import _officer_reply, _referral_email
from tests.dkim_support import KEYS, PRIVATE_KEY, SELECTOR, SIGNED_HEADERS, signed

ATTACKER_KEY = (KEYS / "attacker.private").read_bytes()
TRUSTED = "mx.caseload.test"


def _status(result) -> tuple[str, bool, str]:
    with schema_context(result.schema):
        inbound = InboundEmail.objects.get(pk=result.inbound_id)
        return inbound.status, inbound.sender_verified, inbound.reason


def test_a_spoofed_officer_cannot_answer_a_referral(council_a, people, scene) -> None:
    """The issue's attack: a spoofed officer address closed a referral."""
    message_id = _referral_email(council_a, people, scene)
    forged = eml(
        "officer_reply",
        sign=False,
        officer=scene.officer.email,
        officer_name=scene.officer.name,
        reference=scene.case.reference,
        in_reply_to=message_id,
    )
    [result] = inbound_receive(raw=forged)
    status, verified, reason = _status(result)
    assert (status, verified) == ("triage", False)
    assert reason.startswith("Sender not verified")
    with in_council(council_a):
        assert Referral.objects.get(pk=scene.referral.pk).replied_at is None
    # The same reply, signed by the officer's domain, is filed.
    [genuine] = inbound_receive(raw=_officer_reply(scene, message_id))
    assert genuine.status == "officer_reply"


def test_a_spoofed_councillor_cannot_open_a_case(council_a, people) -> None:
    """The issue's attack: a spoofed councillor address created a case."""
    with in_council(council_a):
        before = Case.objects.count()
    raw = eml("gmail_forward", sign=False, forwarder="owner@a.gov.uk", constituent="x@example.com")
    [result] = inbound_receive(raw=raw)
    assert _status(result)[:2] == ("triage", False)
    with in_council(council_a):
        assert Case.objects.count() == before


def _forward(**overrides) -> bytes:
    return eml(
        "gmail_forward",
        sign=False,
        forwarder="owner@a.gov.uk",
        constituent="mb@example.com",
        **overrides,
    )


@pytest.mark.parametrize(
    ("attack", "make"),
    [
        (
            "signed with a key the domain never published",
            lambda: signed(_forward(), key=ATTACKER_KEY),
        ),
        ("signed by the attacker's own domain", lambda: signed(_forward(), domain="evil.example")),
        (
            "body changed after signing",
            lambda: signed(_forward()).replace(b"Elm Road", b"Elm Road and please close it"),
        ),
        (
            "From changed after signing",
            lambda: signed(_forward().replace(b"owner@a.gov.uk", b"someone@a.gov.uk")).replace(
                b"someone@a.gov.uk", b"owner@a.gov.uk"
            ),
        ),
        (
            "a signature over part of the body (l=), text appended",
            lambda: (
                dkim.sign(
                    _forward(),
                    SELECTOR,
                    b"a.gov.uk",
                    PRIVATE_KEY,
                    length=True,
                    include_headers=SIGNED_HEADERS,
                )
                + _forward()
                + b"\r\nClose it.\r\n"
            ),
        ),
    ],
)
def test_forged_signatures_are_not_believed(council_a, people, attack, make) -> None:
    [result] = inbound_receive(raw=make())
    status, verified, _ = _status(result)
    assert (status, verified) == ("triage", False), attack


def _with_results(raw: bytes, *headers: str) -> bytes:
    return "".join(f"Authentication-Results: {h}\r\n" for h in headers).encode() + raw


def test_a_trusted_hosts_verdict_is_believed(council_a, people, settings) -> None:
    settings.INBOUND_TRUSTED_AUTHSERV_IDS = [TRUSTED]
    raw = _with_results(
        _forward(),
        f"{TRUSTED}; spf=pass smtp.mailfrom=owner@a.gov.uk; "
        "dkim=none; dmarc=pass header.from=a.gov.uk",
    )
    [result] = inbound_receive(raw=raw)
    status, verified, _ = _status(result)
    assert (status, verified) == ("new_case", True)


@pytest.mark.parametrize(
    "headers",
    [
        # Forged by the sender, below the trusted host's own (which found no pass).
        [
            f"{TRUSTED}; dkim=none; spf=fail smtp.mailfrom=owner@a.gov.uk; dmarc=fail",
            f"{TRUSTED}; dmarc=pass header.from=a.gov.uk",
        ],
        # From a host nobody configured as trusted.
        ["mx.evil.example; dmarc=pass header.from=a.gov.uk"],
        # A pass for some other domain.
        [f"{TRUSTED}; dkim=pass header.d=evil.example; spf=pass smtp.mailfrom=x@evil.example"],
    ],
    ids=["forged below the trusted one", "untrusted host", "unaligned pass"],
)
def test_forged_or_untrusted_verdicts_are_not_believed(council_a, people, settings, headers):
    settings.INBOUND_TRUSTED_AUTHSERV_IDS = [TRUSTED]
    [result] = inbound_receive(raw=_with_results(_forward(), *headers))
    assert _status(result)[:2] == ("triage", False)


@pytest.mark.parametrize(("ses_verdict", "filed"), [("PASS", True), ("FAIL", False)])
def test_the_esps_own_verdict_through_anymail(council_a, people, ses_verdict, filed) -> None:
    """Amazon SES states DMARC for each message; anymail hands us its event."""
    raw = _forward()
    event = SimpleNamespace(
        message=SimpleNamespace(
            as_bytes=lambda: raw, envelope_recipient="council-a@inbound.localhost"
        ),
        esp_event={"receipt": {"dmarcVerdict": {"status": ses_verdict}}},
    )
    anymail_inbound_received(sender=None, event=event, esp_name="amazon_ses")
    with in_council(council_a):
        inbound = InboundEmail.objects.get()
        assert inbound.sender_verified is filed
        assert (inbound.status == "new_case") is filed


def test_triage_marks_unverified_mail(council_a, people, api_for) -> None:
    inbound_receive(raw=eml("unknown_sender", sign=False))
    listing = api_for(council_a, people.staff).get("/api/v1/inbound/triage/").json()["results"]
    assert listing[0]["sender_verified"] is False
    assert "no DKIM signature" in listing[0]["sender_check"]

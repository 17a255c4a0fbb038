"""Inbound email threading into cases: real RFC 5322 messages as bytes, through the same
entry point the ESP webhook (django-anymail) and the mailbox poller use."""

from __future__ import annotations

import base64
import json

import pytest
from django.core import mail
from rest_framework.test import APIClient

from caseload.models import Action, Attachment, Case, Referral
from correspondence.models import InboundEmail
from correspondence.services import correspondence_send_email, inbound_receive
from correspondence.services.mailbox import inbound_poll_imap
from mailer.services import outbox_deliver
from tests.conftest import in_council
from tests.correspondence.inbound_support import eml
from tests.dkim_support import signed


def _referral_email(council, people, scene) -> str:
    with in_council(council):
        message_id = correspondence_send_email(
            actor=people.owner, key="referral", case=scene.case, referral=scene.referral
        ).message_id
        outbox_deliver()
    mail.outbox.clear()
    return message_id


def _officer_reply(scene, message_id: str) -> bytes:
    return eml(
        "officer_reply",
        officer=scene.officer.email,
        officer_name=scene.officer.name,
        reference=scene.case.reference,
        in_reply_to=message_id,
    )


def test_officer_email_reply_threads_into_the_referral(council_a, people, scene):
    message_id = _referral_email(council_a, people, scene)
    results = inbound_receive(raw=_officer_reply(scene, message_id))
    assert [(r.schema, r.status, r.case_id) for r in results] == [
        ("council_a", "officer_reply", scene.case.pk)
    ]
    with in_council(council_a):
        referral = Referral.objects.get(pk=scene.referral.pk)
        assert referral.replied_at is not None
        case = Case.objects.get(pk=scene.case.pk)
        assert case.status == Case.Status.REPLY_RECEIVED
        reply = Action.objects.get(case=case, kind=Action.Kind.OFFICER_REPLY)
        assert "failed control unit" in reply.text
        assert "I have been contacted by a constituent" not in reply.text  # quote stripped
        assert reply.data["via"] == "email"
        outbox_deliver()
    assert [m.to for m in mail.outbox] == [["owner@a.gov.uk"]]


def test_same_message_twice_is_filed_once(council_a, people, scene):
    raw = _officer_reply(scene, _referral_email(council_a, people, scene))
    first = inbound_receive(raw=raw)
    second = inbound_receive(raw=raw)
    assert first[0].inbound_id == second[0].inbound_id
    with in_council(council_a):
        assert InboundEmail.objects.count() == 1
        assert Action.objects.filter(kind=Action.Kind.OFFICER_REPLY).count() == 1


def test_out_of_office_is_not_a_reply(council_a, people, scene):
    message_id = _referral_email(council_a, people, scene)
    raw = eml(
        "auto_reply",
        officer=scene.officer.email,
        reference=scene.case.reference,
        in_reply_to=message_id,
    )
    assert inbound_receive(raw=raw)[0].status == "ignored"
    with in_council(council_a):
        assert Referral.objects.get(pk=scene.referral.pk).replied_at is None
        assert not Action.objects.filter(kind=Action.Kind.EMAIL_IN).exists()


def test_constituent_reply_to_our_email_threads_into_the_case(council_a, people, scene):
    with in_council(council_a):
        sent = correspondence_send_email(actor=people.owner, key="acknowledgement", case=scene.case)
    constituent = scene.case.constituent
    raw = (
        f"From: {constituent.name} <{constituent.email}>\r\n"
        "To: council-a@inbound.localhost\r\n"
        "Subject: Re: Your enquiry\r\n"
        "Date: Fri, 8 May 2026 10:00:00 +0100\r\n"
        "Message-ID: <reply-from-constituent@example.com>\r\n"
        f"In-Reply-To: {sent.message_id}\r\n"
        f"References: {sent.message_id}\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "Thanks, the light is still out tonight.\r\n"
        "\r\n"
        "On Thu, 7 May 2026 at 09:00, Cllr Ann Owen <noreply@localhost> wrote:\r\n"
        "> Dear Jane\r\n"
    ).encode()
    result = inbound_receive(raw=signed(raw))[0]
    assert (result.status, result.case_id) == ("action", scene.case.pk)
    with in_council(council_a):
        entry = Action.objects.get(case=scene.case, kind=Action.Kind.EMAIL_IN)
        assert "still out tonight" in entry.text and "> Dear Jane" not in entry.text
        assert entry.data["matched_by"] == "thread"


def test_reference_in_subject_only_from_the_case_people(council_a, people, scene):
    raw = (
        "From: Someone Else <someone@example.org>\r\n"
        "To: council-a@inbound.localhost\r\n"
        f"Subject: About {scene.case.reference}\r\n"
        "Message-ID: <ref-stranger@example.org>\r\n"
        "Content-Type: text/plain\r\n\r\nHello\r\n"
    ).encode()
    assert inbound_receive(raw=signed(raw))[0].status == "triage"
    officer_raw = raw.replace(b"someone@example.org", scene.officer.email.encode()).replace(
        b"ref-stranger", b"ref-officer"
    )
    result = inbound_receive(raw=signed(officer_raw))[0]
    assert (result.status, result.case_id) == ("officer_reply", scene.case.pk)


def test_mail_for_no_council_is_dropped(council_a):
    raw = eml("unknown_sender").replace(b"council-a@inbound", b"nobody@inbound")
    assert inbound_receive(raw=raw) == []
    raw = eml("unknown_sender").replace(b"council-a@inbound.localhost", b"council-a@elsewhere.org")
    assert inbound_receive(raw=raw) == []


def test_mail_goes_only_to_the_council_it_is_addressed_to(council_a, council_b, people):
    result = inbound_receive(raw=eml("unknown_sender").replace(b"council-a@", b"council-b@"))
    assert [r.schema for r in result] == ["council_b"]
    with in_council(council_a):
        assert not InboundEmail.objects.exists()


def test_anymail_inbound_webhook(council_a, people, scene, settings):
    """Postmark's inbound webhook with the raw message: anymail parses it and sends its
    inbound signal, whose receiver files the message."""
    raw = _officer_reply(scene, _referral_email(council_a, people, scene))
    client = APIClient(HTTP_HOST=settings.PLATFORM_DOMAIN)
    payload = {"RawEmail": raw.decode(), "Headers": [], "MessageID": "pm-1"}
    # Without a configured secret the webhook does not exist (anymail alone would accept
    # unauthenticated posts).
    settings.ANYMAIL_WEBHOOK_SECRET = ""
    assert (
        client.post("/inbound/anymail/postmark/inbound/", payload, format="json").status_code == 404
    )
    settings.ANYMAIL_WEBHOOK_SECRET = "hook:secret"
    denied = client.post("/inbound/anymail/postmark/inbound/", payload, format="json")
    assert denied.status_code == 400
    auth = "Basic " + base64.b64encode(b"hook:secret").decode()
    response = client.post(
        "/inbound/anymail/postmark/inbound/",
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=auth,
    )
    assert response.status_code == 200
    with in_council(council_a):
        assert Referral.objects.get(pk=scene.referral.pk).replied_at is not None
    # Council B's host does not serve the webhook at all.
    assert (
        APIClient(HTTP_HOST="council-b.localhost")
        .post("/inbound/anymail/postmark/inbound/", payload, format="json")
        .status_code
        == 404
    )


def test_read_only_council_takes_no_mail(council_a, people, monkeypatch):
    from core.errors import StateError

    def refuse(**kwargs):
        raise StateError("The licence is read-only.")

    monkeypatch.setattr("caseload.services.permissions.licence_assert_writable", refuse)
    assert [r.status for r in inbound_receive(raw=eml("unknown_sender"))] == ["refused"]
    with in_council(council_a):
        assert not InboundEmail.objects.exists()


class FakeImap:
    """Just the IMAP4 calls the poller makes, over a dict of uid -> raw message."""

    def __init__(self, messages: dict[bytes, bytes]):
        self.messages = messages
        self.seen: set[bytes] = set()

    def select(self, folder):
        return "OK", [b"1"]

    def uid(self, command, *args):
        if command == "search":
            return "OK", [b" ".join(u for u in self.messages if u not in self.seen)]
        if command == "fetch":
            return "OK", [(b"1 (BODY[] {n})", self.messages[args[0]]), b")"]
        if command == "store":
            self.seen.add(args[0])
            return "OK", []
        raise AssertionError(command)

    def logout(self):
        return "BYE", []


def test_mailbox_poll_files_unseen_messages(council_a, people, scene):
    raw = _officer_reply(scene, _referral_email(council_a, people, scene))
    imap = FakeImap({b"7": raw, b"8": eml("unknown_sender")})
    assert inbound_poll_imap(client=imap) == 2
    assert imap.seen == {b"7", b"8"}
    with in_council(council_a):
        assert sorted(InboundEmail.objects.values_list("status", flat=True)) == [
            "officer_reply",
            "triage",
        ]


@pytest.mark.parametrize("name", ["gmail_forward", "outlook_forward"])
def test_forward_attachments_refused_by_type_are_noted(council_a, people, name):
    raw = eml(name, sign=False, forwarder="owner@a.gov.uk", constituent="mb@example.com")
    raw = raw.replace(b'filename="bins.png"', b'filename="bins.exe"').replace(
        b"iVBORw0KGgo",
        b"TVqQAAMAAAA",  # an MZ (Windows executable) header instead
    )
    if name == "outlook_forward":
        raw = raw.replace(b"JVBERi0xLjQK", b"TVqQAAMAAAAE")
    result = inbound_receive(raw=signed(raw))[0]
    assert result.status == "new_case"
    with in_council(council_a):
        assert not Attachment.objects.filter(case_id=result.case_id).exists()
        entry = Action.objects.get(case_id=result.case_id, kind=Action.Kind.EMAIL_IN)
        assert "Not kept:" in entry.text


def test_mailbox_poll_is_scheduled_and_idle_without_a_mailbox(settings):
    from config.celery_app import app
    from correspondence.tasks import inbound_poll_task

    entry = settings.CELERY_BEAT_SCHEDULE["correspondence-inbound-poll"]
    assert entry["task"] == inbound_poll_task.name
    app.loader.import_default_modules()
    assert inbound_poll_task.name in app.tasks
    settings.INBOUND_IMAP_URL = ""
    assert inbound_poll_task.run() == 0

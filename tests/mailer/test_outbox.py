from __future__ import annotations

import smtplib
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from core.errors import ValidationFailed
from mailer.models import OutboundEmail
from mailer.selectors import outbox_schemas_with_due_mail
from mailer.services import outbox_claim, outbox_deliver, outbox_enqueue
from tests.conftest import in_council


def _enqueue(**kw):
    fields = {"to": ["Ann <ann@example.org>"], "subject": "Hello", "body_text": "Body"}
    fields.update(kw)
    return outbox_enqueue(**fields)


def test_enqueue_then_deliver_sends_one_message_with_stable_message_id(council_a):
    with in_council(council_a):
        email = _enqueue(
            body_html="<p>Body</p>",
            attachments=[("a.txt", b"hi", "text/plain")],
            reply_to=["reply+1@example.org"],
            headers={"In-Reply-To": "<x@y>"},
            case=42,
            kind="test",
        )
        assert email.status == OutboundEmail.Status.QUEUED
        assert outbox_deliver() == 1
        assert outbox_deliver() == 0
        email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT and email.sent_at is not None
    assert email.case_id == 42 and email.attempts == 1
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["Ann <ann@example.org>"] and sent.reply_to == ["reply+1@example.org"]
    assert sent.extra_headers["Message-ID"] == email.message_id
    assert sent.extra_headers["In-Reply-To"] == "<x@y>"
    assert sent.alternatives[0][0] == "<p>Body</p>"
    assert sent.attachments[0][0] == "a.txt"


def test_dedupe_key_returns_first_row_and_sends_once(council_a):
    with in_council(council_a):
        first = _enqueue(dedupe_key="digest:1:2026-03-02")
        second = _enqueue(dedupe_key="digest:1:2026-03-02", subject="Other")
        assert first.pk == second.pk and second.subject == "Hello"
        outbox_deliver()
        _enqueue(dedupe_key="digest:1:2026-03-02")
        outbox_deliver()
    assert len(mail.outbox) == 1


def test_same_dedupe_key_in_two_councils_is_two_emails_with_different_ids(council_a, council_b):
    with in_council(council_a):
        a = _enqueue(dedupe_key="k")
        outbox_deliver()
    with in_council(council_b):
        b = _enqueue(dedupe_key="k")
        outbox_deliver()
    assert a.message_id != b.message_id
    assert len(mail.outbox) == 2


def test_public_schema_has_its_own_outbox(council_a):
    with schema_context("public"):
        _enqueue(kind="billing")
    with in_council(council_a):
        assert not OutboundEmail.objects.exists()
    with schema_context("public"):
        assert outbox_deliver() == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"to": []},
        {"to": ["not-an-address"]},
        {"cc": ["x@example.org\nBcc: evil@example.org"]},
        {"subject": "a\nb"},
        {"subject": " "},
        {"headers": {"X-A": "b\r\nBcc: evil@example.org"}},
    ],
)
def test_bad_input_is_refused_and_nothing_saved(council_a, fields):
    with in_council(council_a):
        with pytest.raises(ValidationFailed):
            _enqueue(**fields)
        assert not OutboundEmail.objects.exists()


def test_transient_failure_backs_off_then_retries(council_a):
    with in_council(council_a):
        email = _enqueue()
        with mock.patch(
            "django.core.mail.backends.locmem.EmailBackend.send_messages",
            side_effect=smtplib.SMTPServerDisconnected("gone"),
        ):
            assert outbox_deliver() == 0
        email.refresh_from_db()
        assert email.status == OutboundEmail.Status.QUEUED
        assert email.next_attempt_at > timezone.now() and "gone" in email.last_error
        assert outbox_deliver() == 0  # not due yet
        OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
        assert outbox_deliver() == 1
        email.refresh_from_db()
    assert email.attempts == 2 and email.status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1


def test_refused_recipient_fails_for_good(council_a):
    with in_council(council_a):
        email = _enqueue()
        with mock.patch(
            "django.core.mail.backends.locmem.EmailBackend.send_messages",
            side_effect=smtplib.SMTPRecipientsRefused({"ann@example.org": (550, b"no")}),
        ):
            outbox_deliver()
        email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED


def test_claimed_row_is_not_reclaimed_until_its_lease_expires(council_a):
    with in_council(council_a):
        email = _enqueue()
        _, ids = outbox_claim(limit=10)  # a worker claims it, then dies
        assert ids == [email.pk]
        assert outbox_claim(limit=10)[1] == []
        later = timezone.now() + timedelta(hours=1)
        token, ids = outbox_claim(limit=10, now=later)
        assert ids == [email.pk]
        email.refresh_from_db()
        assert email.attempts == 2 and email.claim_token == token


def test_sweep_finds_only_schemas_with_due_mail(council_a, council_b):
    with in_council(council_b):
        _enqueue()
    with schema_context("public"):
        schemas = outbox_schemas_with_due_mail(
            schemas=["public", council_a.schema_name, council_b.schema_name]
        )
    assert schemas == [council_b.schema_name]


def test_purge_deletes_old_sent_and_failed_but_never_pending(council_a, settings):
    settings.MAILER_RETENTION_DAYS = 30
    from mailer.services import outbox_purge

    with in_council(council_a):
        old_sent = _enqueue(attachments=[("a.txt", b"x", "text/plain")])
        outbox_deliver()
        old_failed = _enqueue()
        OutboundEmail.objects.filter(pk=old_failed.pk).update(status="failed")
        old_queued = _enqueue(send_after=timezone.now() + timedelta(days=1))
        OutboundEmail.objects.update(updated_at=timezone.now() - timedelta(days=31))
        recent = _enqueue()
        outbox_deliver()
        assert outbox_purge() == 2
        left = set(OutboundEmail.objects.values_list("pk", flat=True))
    assert left == {old_queued.pk, recent.pk}
    assert old_sent.pk not in left


def test_nudge_goes_to_the_schema_the_email_was_written_to(
    council_a, django_capture_on_commit_callbacks
):
    """Billing writes its notices to the public outbox from a task running in a council's
    schema: the delivery task must be sent for public, where the row is."""
    from django.db import connection

    schemas = []
    with (
        mock.patch(
            "mailer.tasks.outbox_deliver_task.apply_async",
            side_effect=lambda **kw: schemas.append(connection.schema_name),
        ),
        django_capture_on_commit_callbacks(execute=True),
        in_council(council_a),
    ):
        with schema_context("public"):
            _enqueue(dedupe_key="billing:notice:1")
        _enqueue(dedupe_key="digest:1:2026-03-10")
    assert schemas == ["public", council_a.schema_name]


def test_broker_outage_loses_nothing(council_a, django_capture_on_commit_callbacks):
    """The on-commit nudge fails (broker down): the caller's transaction still succeeds, the
    row stays queued, and beat's sweep finds it once the broker is back."""
    from kombu.exceptions import OperationalError as BrokerDown

    with in_council(council_a):
        with (
            mock.patch(
                "mailer.tasks.outbox_deliver_task.apply_async", side_effect=BrokerDown("down")
            ) as nudge,
            django_capture_on_commit_callbacks(execute=True),
        ):
            email = _enqueue(dedupe_key="digest:9:2026-03-10")
        assert nudge.called
        email.refresh_from_db()
        assert email.status == OutboundEmail.Status.QUEUED
    with schema_context("public"):
        assert outbox_schemas_with_due_mail(schemas=["public", council_a.schema_name]) == [
            council_a.schema_name
        ]
    with in_council(council_a):
        assert outbox_deliver() == 1
    assert len(mail.outbox) == 1

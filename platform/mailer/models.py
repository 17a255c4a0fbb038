"""The email outbox. Every email the platform sends is first a row here.

The app is in both SHARED_APPS and TENANT_APPS: each council's schema has its own outbox
(casework mail never leaves the council's schema), and `public` has one for billing and the
central console. The row, not the Celery message, is the source of truth: a lost task, a
broker outage or a killed worker only delays delivery (see mailer.services, and the
sweep in mailer.tasks).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class OutboundEmail(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        # Claimed by a worker until lease_expires_at; after that any worker may take it again.
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Caller's idempotency key, e.g. "digest:<user>:<date>". Enqueueing the same key twice
    # returns the first row: a retried task or a duplicate beat tick enqueues nothing new.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)
    # What kind of email (for reporting and filtering): "bf_digest", "correspondence", ...
    kind = models.CharField(max_length=50, blank=True, default="")
    # A case in this council's schema, when the email is about one. Not a foreign key: the
    # public schema has an outbox but no cases.
    case_id = models.BigIntegerField(null=True, blank=True)

    from_email = models.CharField(max_length=320)
    to = models.JSONField(default=list)
    cc = models.JSONField(default=list, blank=True)
    bcc = models.JSONField(default=list, blank=True)
    reply_to = models.JSONField(default=list, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    subject = models.CharField(max_length=998)
    body_text = models.TextField()
    body_html = models.TextField(blank=True, default="")
    # Fixed at enqueue and sent on every attempt, so a resend after a crash carries the same
    # Message-ID and receiving systems can recognise it as the same message.
    message_id = models.CharField(max_length=255)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    # Not before this moment (retry back-off, or a deliberately deferred email).
    next_attempt_at = models.DateTimeField()
    claim_token = models.CharField(max_length=64, blank=True, default="")
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    # The provider's id (django-anymail's message.anymail_status.message_id), when known.
    esp_message_id = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(dedupe_key__isnull=False),
                name="mailer_outbox_dedupe_key_uniq",
            ),
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False) | ~Q(status="sent"),
                name="mailer_outbox_sent_has_time",
            ),
            models.CheckConstraint(
                condition=Q(status="sending", lease_expires_at__isnull=False)
                | ~Q(status="sending"),
                name="mailer_outbox_sending_has_lease",
            ),
        ]
        indexes = [
            # What the delivery claim and the platform sweep look for; sent rows (the vast
            # majority) are outside both partial indexes.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="queued"),
                name="mailer_outbox_queued_idx",
            ),
            models.Index(
                fields=["lease_expires_at"],
                condition=Q(status="sending"),
                name="mailer_outbox_lease_idx",
            ),
            models.Index(fields=["case_id"], name="mailer_outbox_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind or 'email'} #{self.pk} ({self.status})"


class OutboundAttachment(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    email = models.ForeignKey(OutboundEmail, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    mimetype = models.CharField(max_length=255)
    content = models.BinaryField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename

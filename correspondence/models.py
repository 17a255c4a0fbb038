"""Correspondence of one council (tenant app): its own templates, letterhead, officer reply
links, the Message-IDs that thread email into cases, inbound mail and batch sends.

The shared templates every council gets live in `correspondence.shared` (public schema).
Cases, actions and attachments belong to caseload: this app records history only through
caseload's services.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_tenants.files.storage import TenantFileSystemStorage

from core.models import TimeStamped
from correspondence.shared.models import Audience


class CouncilTemplate(TimeStamped):
    """The council's own template. With `based_on_version` set it is the council's copy of the
    shared template with the same `key`, and replaces it for this council; a later change to
    the shared template leaves it alone. Without, it is a template only this council has.
    """

    key = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    audience = models.CharField(max_length=20, choices=Audience.choices)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    based_on_version = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["name", "key"]
        constraints = [
            models.CheckConstraint(
                condition=Q(audience__in=["constituent", "officer"]),
                name="counciltemplate_audience_valid",
            ),
            models.CheckConstraint(
                condition=Q(key__regex=r"^[a-z0-9]+(-[a-z0-9]+)*$"),
                name="counciltemplate_key_format",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_copy(self) -> bool:
        return self.based_on_version is not None


class CorrespondenceSettings(TimeStamped):
    """The council's letterhead (one row, id=1). Blank name means the council's own name.

    The logo is kept in the row (at most CORRESPONDENCE_LOGO_MAX_BYTES, checked as a real
    PNG or JPEG by correspondence.services.letterhead), so it lives in the council's schema
    and leaves with a backup or restore of that council like the rest of its letterhead."""

    class LogoPosition(models.TextChoices):
        LEFT = "left", "Top left"
        CENTRE = "centre", "Top centre"
        RIGHT = "right", "Top right"

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    letterhead_name = models.CharField(max_length=200, blank=True)
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    website = models.CharField(max_length=200, blank=True)
    footer = models.CharField(max_length=300, blank=True)
    logo = models.BinaryField(blank=True, default=b"")
    logo_content_type = models.CharField(max_length=20, blank=True)
    logo_width = models.PositiveIntegerField(default=0)  # pixels, as uploaded
    logo_height = models.PositiveIntegerField(default=0)
    logo_position = models.CharField(
        max_length=10, choices=LogoPosition.choices, default=LogoPosition.RIGHT
    )

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "correspondence settings"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="correspondence_settings_singleton"),
            models.CheckConstraint(
                condition=Q(logo_content_type__in=["", "image/png", "image/jpeg"]),
                name="correspondence_logo_png_or_jpeg",
            ),
            models.CheckConstraint(
                condition=Q(logo_position__in=["left", "centre", "right"]),
                name="correspondence_logo_position_valid",
            ),
        ]

    def __str__(self) -> str:
        return "Correspondence settings"


def _nonce() -> str:
    return uuid.uuid4().hex


class ReferralLink(models.Model):
    """The secret behind an officer's "reply to this enquiry" link (one per referral).

    The link itself is `signing.dumps((schema, referral id, nonce))` with a timestamp, so it
    expires by itself and is bound to this council; this row lets the council revoke it, and
    the link also dies when the referral is closed (replied).
    """

    referral = models.OneToOneField(
        "caseload.Referral", on_delete=models.CASCADE, related_name="reply_link"
    )
    nonce = models.CharField(max_length=32, unique=True, default=_nonce)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Reply link for referral {self.referral_id}"


class ThreadMessage(models.Model):
    """A Message-ID we sent or received about a case: replies quoting it (In-Reply-To or
    References) thread into that case, and into the referral when it was a referral email."""

    class Direction(models.TextChoices):
        OUT = "out", "Sent"
        IN = "in", "Received"

    message_id = models.CharField(max_length=255, unique=True)
    # Indexed by threadmessage_case_idx.
    case = models.ForeignKey(
        "caseload.Case", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    referral = models.ForeignKey(
        "caseload.Referral", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    direction = models.CharField(max_length=3, choices=Direction.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["case", "-created_at"], name="threadmessage_case_idx")]

    def __str__(self) -> str:
        return self.message_id


def inbound_upload_to(instance: InboundEmail, filename: str) -> str:
    return f"inbound/{uuid.uuid4().hex}.eml"


class InboundEmail(TimeStamped):
    """One message that reached the council's inbound address, and what became of it.

    The raw message is kept (per council, like attachments) so a triaged message can still
    become a case with its attachments; the parsed fields are what staff see in the queue.
    """

    class Status(models.TextChoices):
        NEW_CASE = "new_case", "Opened a new case"
        ACTION = "action", "Added to a case"
        OFFICER_REPLY = "officer_reply", "Officer's reply to a referral"
        TRIAGE = "triage", "Waiting for triage"
        ASSIGNED = "assigned", "Triaged to a case"
        DISMISSED = "dismissed", "Dismissed"
        IGNORED = "ignored", "Automatic reply, not filed"

    message_id = models.CharField(max_length=255, blank=True)
    received_at = models.DateTimeField()
    recipient = models.CharField(max_length=254, blank=True)
    from_email = models.CharField(max_length=254, blank=True)
    from_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=998, blank=True)
    # The forwarded original, when a councillor or staff member forwarded it.
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    original_from_email = models.CharField(max_length=254, blank=True)
    original_from_name = models.CharField(max_length=200, blank=True)
    original_subject = models.CharField(max_length=998, blank=True)
    original_date = models.DateTimeField(null=True, blank=True)
    body_text = models.TextField(blank=True)
    attachment_names = models.JSONField(default=list, blank=True)
    # Whether the From address was authenticated (DKIM, or a trusted verdict: see
    # correspondence.mail.authenticity) and how; unverified mail never files itself.
    sender_verified = models.BooleanField(default=False)
    sender_check = models.CharField(max_length=300, blank=True)
    raw = models.FileField(
        upload_to=inbound_upload_to, storage=TenantFileSystemStorage(), max_length=255, blank=True
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    # How it was matched ("thread", "reference", "constituent_email", ...) or why it waits.
    reason = models.CharField(max_length=300, blank=True)
    case = models.ForeignKey(
        "caseload.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    triaged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            # Webhook retries and mailbox re-polls deliver the same message again.
            models.UniqueConstraint(
                fields=["message_id"],
                condition=~Q(message_id=""),
                name="inboundemail_message_id_unique",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "new_case",
                        "action",
                        "officer_reply",
                        "triage",
                        "assigned",
                        "dismissed",
                        "ignored",
                    ]
                ),
                name="inboundemail_status_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["-received_at"],
                condition=Q(status="triage"),
                name="inboundemail_triage_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_email}: {self.subject}"


class Batch(TimeStamped):
    """One template sent to the constituents of a set of cases (a campaign, a ward issue)."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        PDF = "pdf", "PDF letter"
        DOCX = "docx", "Word letter"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        DONE = "done", "Done"

    template_key = models.SlugField(max_length=50)
    template_name = models.CharField(max_length=120)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=["email", "pdf", "docx"]), name="batch_channel_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Batch {self.pk}: {self.template_name}"


class BatchItem(TimeStamped):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"

    # Indexed by batchitem_unique_case.
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="items", db_index=False)
    case = models.ForeignKey("caseload.Case", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    detail = models.CharField(max_length=300, blank=True)
    action_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["batch_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "case"], name="batchitem_unique_case"),
        ]
        indexes = [
            models.Index(
                fields=["batch", "id"], condition=Q(status="pending"), name="batchitem_pending_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}/{self.case_id}: {self.status}"

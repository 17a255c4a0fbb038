"""Telling an officer how their request for more time was answered (through the outbox),
as the councillor's other emails to officers are sent: from the councillor "via" the
council, replies to the council's inbound address, threaded under the referral's emails.

The email carries the decision, the case reference and the dates; nothing about the
constituent (the referral email already told the officer what the enquiry is).
"""

from __future__ import annotations

import logging
from email.utils import formataddr, parseaddr

from django.conf import settings

from caseload.models import Referral, ReferralExtension
from core.errors import ValidationFailed
from correspondence.models import ThreadMessage
from correspondence.selectors import council_name
from correspondence.services.sending import inbound_address
from mailer.services import outbox_enqueue

logger = logging.getLogger(__name__)


def extension_decision_text(*, extension: ReferralExtension, referral: Referral) -> str:
    """The sentence telling the officer the decision (the email's body, before the sign-off)."""
    reference = referral.case.reference
    # The councillor's decision, even when staff acting for them pressed the button.
    councillor = referral.case.owner.name or "The councillor"
    original = f"The original target was {referral.original_target_date:%-d %B %Y}."
    if extension.state == ReferralExtension.State.ACCEPTED:
        who = (
            "The council accepts requests for more time automatically, so"
            if extension.automatic
            else f"{councillor} accepted it:"
        )
        return (
            f"You asked for more time to reply about {reference}. {who} your reply is now "
            f"due by {extension.requested_date:%-d %B %Y}. {original}"
        )
    return (
        f"You asked for more time to reply about {reference}, until "
        f"{extension.requested_date:%-d %B %Y}. {councillor} refused it: your reply is "
        f"still due by {referral.target_date:%-d %B %Y}. {original}"
    )


def notify_officer_of_extension_decision(
    *, extension: ReferralExtension, referral: Referral
) -> None:
    """Queue the officer's email about an answered request for more time, in the caller's
    transaction (delivery is queued when it commits). Once per decision (dedupe key)."""
    if extension.state not in (
        ReferralExtension.State.ACCEPTED,
        ReferralExtension.State.REFUSED,
    ):
        return
    officer = referral.officer
    if not officer.email:
        return
    case = referral.case
    owner = case.owner
    decision = "accepted" if extension.state == ReferralExtension.State.ACCEPTED else "refused"
    _, default_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    reply_to = inbound_address() or owner.email
    earlier = list(
        ThreadMessage.objects.filter(referral=referral, direction=ThreadMessage.Direction.OUT)
        .order_by("created_at", "id")
        .values_list("message_id", flat=True)[:20]
    )
    headers = {"In-Reply-To": earlier[-1], "References": " ".join(earlier)} if earlier else {}
    body = (
        f"Dear {officer.name},\n\n"
        f"{extension_decision_text(extension=extension, referral=referral)}\n\n"
        "Reply as before: through the link in the referral email, or by replying to it.\n\n"
        f"{owner.name}\n{council_name()}\n"
    )
    try:
        row = outbox_enqueue(
            to=[formataddr((officer.name, officer.email))],
            subject=f"More time {decision}: {case.reference}",
            body_text=body,
            case=case,
            kind="extension_decision",
            from_email=formataddr((f"{owner.name} via {council_name()}"[:150], default_address)),
            reply_to=[reply_to] if reply_to else [],
            headers=headers,
            dedupe_key=f"extension-decision:{extension.pk}",
        )
    except ValidationFailed:
        # An officer address the outbox cannot send to must not undo the decision itself.
        logger.warning("extension %s: officer %s has no usable address", extension.pk, officer.pk)
        return
    # The officer's answer to this email threads back into the case.
    ThreadMessage.objects.get_or_create(
        message_id=row.message_id,
        defaults={"case": case, "referral": referral, "direction": ThreadMessage.Direction.OUT},
    )

"""Demo mail waiting in the triage queue, for `seed_demo`: what reaches a council's inbound
address and matches no case (a new constituent, a reply without a reference, a forwarded
letter, a message whose sender could not be verified), so the staff's triage page shows
the choices it offers. Idempotent: each message has a fixed Message-ID."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import schema_context

from correspondence.models import InboundEmail
from tenants.models import Council

# (local part, sender's name, subject, body, verified, why it waits)
MESSAGES = (
    (
        "j.mcallister",
        "Jean McAllister",
        "Street light out on our close",
        "Hello, the street light outside number 6 has been out for three weeks and the "
        "close is pitch dark by five o'clock. Could someone look at it? Thank you, Jean",
        True,
        "No case reference and no known constituent with this address",
    ),
    (
        "davie.r",
        "Davie Robertson",
        "Re: your letter",
        "Thanks for your letter. The skip is still there and now there is a mattress beside "
        "it too. I don't have the reference to hand, sorry.",
        True,
        "A reply without a reference: which case is it about?",
    ),
    (
        "residents.association",
        "Westfield Residents' Association",
        "Fwd: Planning application near the primary school",
        "Forwarded on behalf of the committee: several residents are worried about the "
        "traffic the new development would bring past the school at drop-off time.",
        True,
        "Forwarded by someone who is not a known constituent",
    ),
    (
        "noreply-parcel",
        "Parcel Delivery",
        "Your council tax refund is waiting",
        "Click the link below to claim your refund before it expires.",
        False,
        "Sender not verified (no DKIM signature): never filed automatically",
    ),
)


def seed(*, council: Council, rng: random.Random) -> None:
    now = timezone.now()
    with schema_context(council.schema_name):
        for index, (local, name, subject, body, verified, reason) in enumerate(MESSAGES):
            InboundEmail.objects.get_or_create(
                message_id=f"<demo-triage-{index}@{council.slug}.example.org>",
                defaults={
                    "received_at": now - timedelta(hours=3 + index * 7 + rng.randint(0, 5)),
                    "recipient": f"casework@{council.slug}.example.gov.uk",
                    "from_email": f"{local}@example.org",
                    "from_name": name,
                    "subject": subject,
                    "body_text": body,
                    "sender_verified": verified,
                    "sender_check": "dkim (d=example.org)" if verified else "dkim: no signature",
                    "status": InboundEmail.Status.TRIAGE,
                    "reason": reason,
                },
            )

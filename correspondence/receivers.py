"""Signal receivers: thin, they hand over to services."""

from __future__ import annotations

import logging
from typing import Any

from caseload.models import Referral, ReferralExtension
from correspondence.mail.authenticity import verdict_from_esp
from correspondence.services.inbound import inbound_receive
from correspondence.services.officer_notices import notify_officer_of_extension_decision

logger = logging.getLogger(__name__)


def anymail_inbound_received(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    """django-anymail parsed an inbound message from the ESP's webhook: route it to its
    council. The message is an email.message.EmailMessage subclass; we re-parse its bytes
    with our own parser so webhook mail and mailbox mail take exactly the same path."""
    message = event.message
    raw = message.as_bytes()
    recipient = getattr(message, "envelope_recipient", None) or ""
    # The ESP's own DKIM/DMARC verdict, where it gives one (re-serialised by anymail, the
    # message's bytes may no longer match its DKIM signature).
    verdict = verdict_from_esp(esp_name, getattr(event, "esp_event", None))
    results = inbound_receive(raw=raw, envelope_recipient=recipient, esp_verdict=verdict)
    logger.info("inbound via %s: %s", esp_name, [(r.schema, r.status) for r in results])


def referral_extension_decided_received(
    sender: Any, extension: ReferralExtension, referral: Referral, **kwargs: Any
) -> None:
    """caseload answered an officer's request for more time: tell the officer."""
    notify_officer_of_extension_decision(extension=extension, referral=referral)

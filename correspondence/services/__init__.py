"""Writes for correspondence. Import from here."""

from correspondence.services.batches import batch_create, batch_process, batch_requeue_stale
from correspondence.services.inbound import InboundResult, inbound_process, inbound_receive
from correspondence.services.letterhead import (
    letterhead_logo_remove,
    letterhead_logo_set,
    letterhead_update,
)
from correspondence.services.links import (
    OfficerResponse,
    officer_reply_submit,
    referral_link_open,
    referral_link_revoke,
    referral_reply_url,
)
from correspondence.services.sending import (
    GeneratedLetter,
    Prepared,
    SentEmail,
    correspondence_make_letter,
    correspondence_prepare,
    correspondence_send_email,
    inbound_address,
)
from correspondence.services.templates import (
    template_copy,
    template_create,
    template_delete,
    template_update,
)
from correspondence.services.triage import triage_assign, triage_dismiss, triage_open_case

__all__ = [
    "GeneratedLetter",
    "InboundResult",
    "OfficerResponse",
    "Prepared",
    "SentEmail",
    "batch_create",
    "batch_process",
    "batch_requeue_stale",
    "correspondence_make_letter",
    "correspondence_prepare",
    "correspondence_send_email",
    "inbound_address",
    "inbound_process",
    "inbound_receive",
    "letterhead_logo_remove",
    "letterhead_logo_set",
    "letterhead_update",
    "officer_reply_submit",
    "referral_link_open",
    "referral_link_revoke",
    "referral_reply_url",
    "template_copy",
    "template_create",
    "template_delete",
    "template_update",
    "triage_assign",
    "triage_dismiss",
    "triage_open_case",
]

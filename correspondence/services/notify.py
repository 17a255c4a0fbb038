"""Telling the councillor that something arrived on their case (through the outbox).

These emails carry the case reference and a link, not the reply itself: the reply is
personal data and stays in the case history, behind sign-in.
"""

from __future__ import annotations

from datetime import date

from caseload.models import Case, Referral
from core.links import current_council_url
from mailer.services import outbox_enqueue


def _case_url(case: Case) -> str:
    return current_council_url(f"/cases/{case.pk}/")


def notify_councillor_of_officer_response(
    *,
    referral: Referral,
    response: str,
    text: str,
    new_target_date: date | None,
    awaiting_decision: bool = False,
) -> None:
    case = referral.case
    owner = case.owner
    if not owner.email or not owner.is_active:
        return
    officer = referral.officer.name
    if response == "more_time" and new_target_date is not None:
        what = (
            f"{officer} asks for more time on {case.reference}: they expect to reply by "
            f"{new_target_date:%d %B %Y}."
        )
        what += (
            " Accept or refuse the request on the case page; until you accept it the reply "
            f"is still due by {referral.target_date:%d %B %Y}."
            if awaiting_decision
            else " The council accepts such requests automatically. Whether the reply is on "
            "time is still judged against the original target, "
            f"{referral.original_target_date:%d %B %Y}."
        )
        key = f"officer-more-time:{referral.pk}:{new_target_date.isoformat()}"
    else:
        done = " and marked the matter done" if response == "done" else ""
        what = f"{officer} replied to your referral of {case.reference}{done}."
        key = f"officer-reply:{referral.pk}"
    outbox_enqueue(
        to=[owner.email],
        subject=f"Officer reply: {case.reference}",
        body_text=(
            f"Dear {owner.name},\n\n{what}\n\nRead it in the case history:\n{_case_url(case)}\n"
        ),
        case=case,
        kind="officer_reply_notice",
        dedupe_key=key,
    )


def notify_councillor_of_inbound(*, case: Case, inbound_id: int, sender: str) -> None:
    owner = case.owner
    if not owner.email or not owner.is_active:
        return
    outbox_enqueue(
        to=[owner.email],
        subject=f"New email on {case.reference}",
        body_text=(
            f"Dear {owner.name},\n\nAn email from {sender} was added to {case.reference}.\n\n"
            f"Read it in the case history:\n{_case_url(case)}\n"
        ),
        case=case,
        kind="inbound_notice",
        dedupe_key=f"inbound-notice:{inbound_id}",
    )

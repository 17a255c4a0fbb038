"""Officers' "reply to this enquiry" links, and what an officer can do with one.

A link is `/officer-reply/<token>/` on the council's own host. The token is
`signing.dumps([schema, referral id, nonce])` under a purpose-specific salt, timestamped:

- it is bound to one council (the schema inside must be the host's council: a link from
  another council is a 404, even though all councils share the platform's secret key);
- it expires CORRESPONDENCE_REPLY_LINK_DAYS after the email that carried it (each email,
  such as a chaser, signs a fresh one for the same referral);
- it is single-purpose: it opens that one referral and shows only what was referred;
- it dies when the referral is closed (the reply recorded) or the council revokes it.

Acting without an account, the officer's reply is recorded as the case owner's system
entry, with `via: officer_link` and the officer in the action's data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from caseload.models import Case, Referral, ReferralExtension
from caseload.services import referral_extension_request, referral_record_reply
from core.errors import NotFound, ValidationFailed
from core.links import current_council_url
from core.tenancy import current_schema
from correspondence.errors import LinkGone
from correspondence.models import ReferralLink
from correspondence.services.notify import notify_councillor_of_officer_response

SALT = "correspondence.officer-reply.v1"
MAX_REPLY_CHARS = 10_000


def referral_link_ensure(*, referral: Referral) -> ReferralLink:
    link, _ = ReferralLink.objects.get_or_create(referral=referral)
    return link


def referral_link_token(*, referral: Referral) -> str:
    link = referral_link_ensure(referral=referral)
    return signing.dumps([current_schema(), referral.pk, link.nonce], salt=SALT, compress=True)


def referral_reply_url(*, referral: Referral) -> str:
    return current_council_url(f"/officer-reply/{referral_link_token(referral=referral)}/")


def _max_age_seconds() -> int:
    return int(settings.CORRESPONDENCE_REPLY_LINK_DAYS) * 24 * 60 * 60


@dataclass(frozen=True)
class OpenLink:
    link: ReferralLink
    referral: Referral

    @property
    def case(self) -> Case:
        return self.referral.case


def referral_link_open(*, token: str) -> OpenLink:
    """The referral behind a link, or NotFound (tampered, another council's, unknown) or
    LinkGone (expired, revoked, already answered, case closed)."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=_max_age_seconds())
    except signing.SignatureExpired:
        raise LinkGone(
            "This link has expired. Reply to the councillor's email instead, or ask them for "
            "a new link."
        ) from None
    except signing.BadSignature:
        raise NotFound("This link is not valid.") from None
    if not (isinstance(payload, list) and len(payload) == 3):
        raise NotFound("This link is not valid.")
    schema, referral_id, nonce = payload
    if schema != current_schema():
        raise NotFound("This link is not valid.")
    link = (
        ReferralLink.objects.select_related(
            "referral__officer",
            "referral__case__constituent",
            "referral__case__owner",
            "referral__case__category",
            "referral__case__ward",
        )
        .filter(nonce=str(nonce), referral_id=referral_id)
        .first()
    )
    if link is None:
        raise NotFound("This link is not valid.")
    if link.revoked_at is not None:
        raise LinkGone("The council has withdrawn this link. Contact the councillor directly.")
    referral = link.referral
    if referral.replied_at is not None:
        raise LinkGone(
            f"A reply to this enquiry was recorded on {referral.replied_at:%d %B %Y}, so the "
            "link is closed. Reply to the councillor's email to add anything."
        )
    if referral.case.status == Case.Status.CLOSED:
        raise LinkGone("The councillor has closed this enquiry, so the link is closed.")
    return OpenLink(link=link, referral=referral)


class OfficerResponse:
    REPLY = "reply"
    DONE = "done"
    MORE_TIME = "more_time"
    CHOICES = (REPLY, DONE, MORE_TIME)


@transaction.atomic
def officer_reply_submit(
    *,
    token: str,
    response: str,
    text: str,
    new_target_date: date | None = None,
) -> Referral:
    """What an officer posts through their link: a reply (or "done"), which closes the
    referral and moves the case to "reply received"; or "needs more time" with a new date,
    which keeps it open. Either way the councillor is told by email."""
    opened = referral_link_open(token=token)
    referral, case = opened.referral, opened.case
    text = (text or "").strip()
    errors: dict[str, list[str]] = {}
    if response not in OfficerResponse.CHOICES:
        errors["response"] = ["Choose reply, done or more time."]
    if response != OfficerResponse.DONE and not text:
        errors["text"] = ["Write your reply."]
    if len(text) > MAX_REPLY_CHARS:
        errors["text"] = [f"At most {MAX_REPLY_CHARS:,} characters."]
    if response == OfficerResponse.MORE_TIME and new_target_date is None:
        errors["new_target_date"] = ["Give the date you expect to reply by."]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], extra=errors)
    # The officer has no account: the history entry is theirs (by_officer), recorded on the
    # case owner's case.
    actor = case.owner
    data = {"via": "officer_link", "officer_response": response}
    extension: ReferralExtension | None = None
    if response == OfficerResponse.MORE_TIME:
        assert new_target_date is not None
        extension = referral_extension_request(
            referral=referral, requested_date=new_target_date, text=text, data=data
        )
        referral = extension.referral
    else:
        prefix = "Marked done by the officer." if response == OfficerResponse.DONE else ""
        referral = referral_record_reply(
            actor=actor,
            referral=referral,
            text=" ".join(p for p in (prefix, text) if p),
            data=data,
            by_officer=True,
        )
    ReferralLink.objects.filter(pk=opened.link.pk).update(last_used_at=timezone.now())
    notify_councillor_of_officer_response(
        referral=referral,
        response=response,
        text=text,
        new_target_date=new_target_date,
        awaiting_decision=extension is not None
        and extension.state == ReferralExtension.State.PENDING,
    )
    return referral


@transaction.atomic
def referral_link_revoke(*, referral: Referral) -> None:
    ReferralLink.objects.filter(referral=referral, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )

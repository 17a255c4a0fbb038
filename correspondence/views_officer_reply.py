"""Public pages on the council's host: an officer answers a referral through their link,
without an account. Plain GOV.UK pages; no sign-in, rate-limited, and showing only what the
referral shared (see services.links)."""

from __future__ import annotations

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from caseload.selectors import read_log, shares_with_officers, withhold_personal_details
from core.client_ip import client_ip
from core.errors import ApplicationError, NotFound, ValidationFailed
from correspondence.errors import LinkGone
from correspondence.forms import OfficerReplyForm
from correspondence.services import officer_reply_submit, referral_link_open
from correspondence.services.links import OpenLink

logger = logging.getLogger(__name__)


def _rate_limited(request: HttpRequest, token: str) -> bool:
    """Hourly counters per client address and per link (a link is a bearer secret, so
    guessing and hammering both stop here). Fails open if the cache is down."""
    window = int(time.time() // 3600)
    digest = hashlib.sha256(token.encode()).hexdigest()[:32]
    checks = (
        (
            f"corr:olr:ip:{client_ip(request)}:{window}",
            settings.CORRESPONDENCE_REPLY_RATE_PER_IP,
        ),
        (f"corr:olr:link:{digest}:{window}", settings.CORRESPONDENCE_REPLY_RATE_PER_LINK),
    )
    try:
        for key, limit in checks:
            cache.add(key, 0, timeout=3700)
            if cache.incr(key) > int(limit):
                return True
    except Exception:
        logger.warning("officer reply rate limit unavailable", exc_info=True)
    return False


def _problem(request: HttpRequest, *, status: int, heading: str, message: str) -> HttpResponse:
    return render(
        request,
        "correspondence/officer_link_problem.html",
        {"heading": heading, "message": message},
        status=status,
    )


def _page(request: HttpRequest, opened: OpenLink, form: OfficerReplyForm, status: int = 200):
    referral, case = opened.referral, opened.case
    constituent = case.constituent
    shared = shares_with_officers(constituent)
    read_log.officer_link_read_record(referral=referral, case=case, details_shared=shared)
    return render(
        request,
        "correspondence/officer_reply.html",
        {
            "form": form,
            "referral": referral,
            "case": case,
            "officer": referral.officer,
            "councillor": case.owner,
            # Constituent details only with recorded consent to share them with officers;
            # without it, the councillor's own words are shown with those details withheld.
            "constituent": constituent if shared else None,
            "enquiry_title": withhold_personal_details(case.title, constituent=constituent),
            "enquiry_note": withhold_personal_details(referral.note, constituent=constituent),
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def officer_reply(request: HttpRequest, token: str) -> HttpResponse:
    if _rate_limited(request, token):
        return _problem(
            request,
            status=429,
            heading="Too many attempts",
            message="Please wait an hour and try again, or reply to the councillor's email.",
        )
    try:
        opened = referral_link_open(token=token)
    except NotFound:
        return _problem(
            request,
            status=404,
            heading="This link does not work",
            message=(
                "Check you copied the whole link from the email. If it still does not work, "
                "reply to the councillor's email instead."
            ),
        )
    except LinkGone as exc:
        return _problem(request, status=410, heading="This link is closed", message=exc.message)
    if request.method == "GET":
        return _page(request, opened, OfficerReplyForm())
    form = OfficerReplyForm(request.POST)
    if form.is_valid():
        try:
            officer_reply_submit(
                token=token,
                response=form.cleaned_data["response"],
                text=form.cleaned_data["text"],
                new_target_date=form.cleaned_data["new_target_date"],
            )
        except ValidationFailed as exc:
            for field, messages in exc.extra.items():
                field = {"target_date": "new_target_date"}.get(field, field)
                # One problem: the service's full sentence reads better than the field's note.
                for message in [exc.message] if len(exc.extra) == 1 else messages:
                    form.add_error(field if field in form.fields else None, message)
            if not exc.extra:
                form.add_error(None, exc.message)
        except LinkGone as exc:
            return _problem(request, status=410, heading="This link is closed", message=exc.message)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("correspondence_public:officer-reply-thanks")
    return _page(request, opened, form, status=400)


@never_cache
def officer_reply_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "correspondence/officer_reply_thanks.html")

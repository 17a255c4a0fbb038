"""Self-service trial requests: ask, confirm the email address, then the central body's
decision (approve starts onboarding; decline says why). The requester hears by email at
each step, through the public outbox."""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from console.models import AllowedEmailDomain, OnboardingJob, TrialRequest
from console.services.onboarding import onboarding_job_create
from core.errors import ApplicationError, Conflict, StateError, ValidationFailed
from core.links import council_host, platform_url
from mailer.services import outbox_enqueue
from tenants.models import SLUG_MAX_LENGTH, Council
from tenants.services import council_validate_slug

logger = logging.getLogger(__name__)

CONFIRM_SALT = "console.trial-request.confirm"
MAX_COUNCILLORS = 500


class TooManyRequests(ApplicationError):
    status_code = 429
    code = "rate_limited"


def trial_slug_for(council_name: str) -> str:
    """'The Highland Council' -> 'highland'; 'City of Edinburgh Council' -> 'city-of-edinburgh'."""
    slug = slugify(council_name)
    slug = re.sub(r"^(the-)", "", slug)
    slug = re.sub(r"(-council)$|^(council-)", "", slug) or slug
    if slug[:1].isdigit():
        slug = f"council-{slug}"
    if len(slug) > SLUG_MAX_LENGTH:
        slug = slug[:SLUG_MAX_LENGTH].rsplit("-", 1)[0]
    return slug


def email_domain_is_public_sector(domain: str) -> bool:
    domain = domain.lower().strip(".")
    return any(
        domain == suffix or domain.endswith("." + suffix)
        for suffix in settings.CONSOLE_PUBLIC_SECTOR_EMAIL_SUFFIXES
    )


def email_domain_allowed(email: str) -> bool:
    """A public-sector domain, or one the central body allowed (or a parent of it)."""
    domain = email.rsplit("@", 1)[-1].lower()
    if email_domain_is_public_sector(domain):
        return True
    parts = domain.split(".")
    candidates = [".".join(parts[i:]) for i in range(len(parts) - 1)]
    return AllowedEmailDomain.objects.filter(domain__in=candidates).exists()


def _rate_keys(*, client_ip: str, email: str) -> list[tuple[str, int, int, str]]:
    return [
        (
            f"console:trial-rate:ip:{client_ip}",
            settings.CONSOLE_TRIAL_REQUESTS_PER_IP_HOUR,
            60 * 60,
            "Too many trial requests from your network in the last hour. Try again later, "
            "or email the central body.",
        ),
        (
            f"console:trial-rate:email:{email}",
            settings.CONSOLE_TRIAL_REQUESTS_PER_EMAIL_DAY,
            24 * 60 * 60,
            "Too many trial requests for this email address today. Check your inbox for the "
            "confirmation link we sent, or try again tomorrow.",
        ),
    ]


def _rate_check(*, client_ip: str, email: str) -> None:
    for key, limit, _, message in _rate_keys(client_ip=client_ip, email=email):
        if int(cache.get(key) or 0) >= limit:
            raise TooManyRequests(message)


def _rate_count(*, client_ip: str, email: str) -> None:
    for key, _, window, _ in _rate_keys(client_ip=client_ip, email=email):
        cache.add(key, 0, window)  # starts the window; later requests only count
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)


def _duplicate_check(*, council_name: str, slug: str, exclude_pk: int | None = None) -> None:
    existing = (
        Council.objects.filter(slug=slug).first()
        or Council.objects.filter(name__iexact=council_name).first()
    )
    if existing is not None:
        message = (
            f"{existing.name} is already on the platform, at {council_host(existing.slug)}. "
            "Ask your council's administrator for an account instead."
        )
        raise Conflict(message, extra={"council_name": [message]})
    pending = TrialRequest.objects.filter(slug=slug, status=TrialRequest.Status.CONFIRMED)
    if exclude_pk is not None:
        pending = pending.exclude(pk=exclude_pk)
    if pending.exists():
        message = (
            f"A trial request for {council_name} is already waiting for the central body's "
            "review. You will hear by email; there is no need to ask again."
        )
        raise Conflict(message, extra={"council_name": [message]})


def trial_request_validate(
    *,
    council_name: str,
    contact_name: str,
    email: str,
    councillors: Any,
    start_date: Any,
    today: date | None = None,
) -> dict[str, Any]:
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    council_name = " ".join((council_name or "").split())
    contact_name = " ".join((contact_name or "").split())
    email = (email or "").strip().lower()
    slug = ""
    if not council_name:
        errors["council_name"] = ["Enter your council's name, such as 'Fife Council'."]
    elif len(council_name) > 200:
        errors["council_name"] = ["At most 200 characters."]
    else:
        slug = trial_slug_for(council_name)
        try:
            council_validate_slug(slug)
        except ValidationFailed:
            errors["council_name"] = [
                "We cannot make a web address from this name; use the council's full name."
            ]
    if not contact_name:
        errors["contact_name"] = ["Enter your name."]
    elif len(contact_name) > 200:
        errors["contact_name"] = ["At most 200 characters."]
    try:
        validate_email(email)
    except Exception:
        errors["email"] = ["Enter your work email address, like name@council.gov.uk."]
    else:
        if not email_domain_allowed(email):
            errors["email"] = [
                "Use your council email address (for example ending in .gov.uk or "
                ".gov.scot). If your council uses another domain, email the central body."
            ]
    try:
        councillors = int(councillors)
    except (TypeError, ValueError):
        councillors = 0
    if not 1 <= councillors <= MAX_COUNCILLORS:
        errors["councillors"] = [
            f"Enter how many councillors will take part, from 1 to {MAX_COUNCILLORS}."
        ]
    if not isinstance(start_date, date):
        errors["start_date"] = ["Enter the date you want to start, like 1 9 2026."]
    elif start_date < today:
        errors["start_date"] = ["The start date must be today or in the future."]
    elif start_date > today + timedelta(days=365):
        errors["start_date"] = ["The start date must be within a year from today."]
    if errors:
        raise ValidationFailed("Your request has errors; see fields.", extra=errors)
    return {
        "council_name": council_name,
        "slug": slug,
        "contact_name": contact_name,
        "email": email,
        "councillors": councillors,
        "start_date": start_date,
    }


def trial_confirm_token(request: TrialRequest) -> str:
    return signing.dumps({"id": request.pk, "email": request.email}, salt=CONFIRM_SALT)


def _send(*, request: TrialRequest, template: str, subject: str, key: str, **extra: Any) -> None:
    context = {"request": request, "platform_name": settings.PLATFORM_NAME, **extra}
    outbox_enqueue(
        to=[request.email],
        subject=subject,
        body_text=render_to_string(f"console/emails/{template}.txt", context),
        dedupe_key=f"trial-request:{request.pk}:{key}",
        kind=f"trial_request_{key}",
    )


@transaction.atomic
def trial_request_create(
    *,
    council_name: str,
    contact_name: str,
    email: str,
    councillors: Any,
    start_date: Any,
    client_ip: str,
) -> TrialRequest:
    """A public request for a trial. Rate-limited per client IP and per email address;
    refused for a council already on the platform or already waiting for review. Sends the
    confirm-your-email link, on the central body's site."""
    _rate_check(client_ip=client_ip, email=(email or "").strip().lower())
    details = trial_request_validate(
        council_name=council_name,
        contact_name=contact_name,
        email=email,
        councillors=councillors,
        start_date=start_date,
    )
    _duplicate_check(council_name=details["council_name"], slug=details["slug"])
    request = TrialRequest.objects.create(**details)
    _rate_count(client_ip=client_ip, email=details["email"])
    path = reverse(
        "console:trial-confirm",
        urlconf=settings.PUBLIC_SCHEMA_URLCONF,
        kwargs={"token": trial_confirm_token(request)},
    )
    _send(
        request=request,
        template="trial_confirm",
        subject="Confirm your email address to request a trial",
        key="confirm",
        link=platform_url(path),
        hours=settings.CONSOLE_TRIAL_CONFIRM_HOURS,
    )
    return request


@transaction.atomic
def trial_request_confirm(*, token: str) -> TrialRequest:
    """The requester followed the link: the request joins the central body's queue.
    Following it again changes nothing."""
    try:
        data = signing.loads(
            token, salt=CONFIRM_SALT, max_age=settings.CONSOLE_TRIAL_CONFIRM_HOURS * 3600
        )
    except signing.SignatureExpired as exc:
        raise ValidationFailed(
            "This confirmation link has expired. Please send your request again."
        ) from exc
    except signing.BadSignature as exc:
        raise ValidationFailed("This confirmation link is not valid.") from exc
    request = (
        TrialRequest.objects.select_for_update()
        .filter(pk=data.get("id"), email=data.get("email"))
        .first()
    )
    if request is None:
        raise ValidationFailed("This confirmation link is not valid.")
    if request.status != TrialRequest.Status.UNCONFIRMED:
        return request
    _duplicate_check(council_name=request.council_name, slug=request.slug, exclude_pk=request.pk)
    request.status = TrialRequest.Status.CONFIRMED
    request.confirmed_at = timezone.now()
    try:
        with transaction.atomic():
            request.save(update_fields=["status", "confirmed_at", "updated_at"])
    except IntegrityError as exc:
        raise Conflict(
            f"A trial request for {request.council_name} is already waiting for review."
        ) from exc
    _send(
        request=request,
        template="trial_received",
        subject=f"We have your trial request for {request.council_name}",
        key="received",
    )
    return request


def _pending(request_id: int) -> TrialRequest:
    request = TrialRequest.objects.select_for_update().filter(pk=request_id).first()
    if request is None:
        raise ValidationFailed(f"No trial request with id {request_id}.")
    if request.status != TrialRequest.Status.CONFIRMED:
        raise StateError(
            f"This request is '{request.get_status_display()}'; only requests waiting for "
            "review can be approved or declined."
        )
    return request


@transaction.atomic
def trial_request_approve(
    *,
    request_id: int,
    actor: str,
    trial_days: int | None = None,
    seats: int | None = None,
) -> OnboardingJob:
    """Approve: start onboarding (the requester becomes the first admin) and tell them.

    The trial is lengthened by the wait until the start date they asked for, so they get
    the full trial from that date."""
    request = _pending(request_id)
    days = trial_days or settings.CONSOLE_DEFAULT_TRIAL_DAYS
    days += max(0, (request.start_date - timezone.localdate()).days)
    job = onboarding_job_create(
        actor=actor,
        name=request.council_name,
        slug=request.slug,
        contact_email=request.email,
        trial_days=min(days, 365),
        seats=seats or request.councillors,
        admin_email=request.email,
        admin_name=request.contact_name,
        trial_request=request,
    )
    request.status = TrialRequest.Status.APPROVED
    request.decided_at = timezone.now()
    request.decided_by = actor
    request.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    _send(
        request=request,
        template="trial_approved",
        subject=f"Your trial of {settings.PLATFORM_NAME} is approved",
        key="approved",
        address=council_host(request.slug),
    )
    return job


@transaction.atomic
def trial_request_decline(*, request_id: int, actor: str, reason: str) -> TrialRequest:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            "Say why the request is declined; the requester is told.",
            extra={"reason": ["Enter a reason."]},
        )
    request = _pending(request_id)
    request.status = TrialRequest.Status.DECLINED
    request.decline_reason = reason
    request.decided_at = timezone.now()
    request.decided_by = actor
    request.save(
        update_fields=["status", "decline_reason", "decided_at", "decided_by", "updated_at"]
    )
    _send(
        request=request,
        template="trial_declined",
        subject=f"Your trial request for {request.council_name}",
        key="declined",
    )
    return request


@transaction.atomic
def allowed_domain_add(*, domain: str, note: str, actor: str) -> AllowedEmailDomain:
    domain = (domain or "").strip().lower().lstrip("@").strip(".")
    if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", domain):
        raise ValidationFailed(
            "Enter a domain such as 'example.org.uk'.", extra={"domain": ["Not a domain."]}
        )
    if email_domain_is_public_sector(domain):
        raise ValidationFailed(
            f"'{domain}' is a public-sector domain, which is always accepted.",
            extra={"domain": ["Already accepted."]},
        )
    try:
        with transaction.atomic():
            return AllowedEmailDomain.objects.create(
                domain=domain, note=(note or "").strip()[:200], added_by=actor
            )
    except IntegrityError as exc:
        raise Conflict(
            f"'{domain}' is already allowed.", extra={"domain": ["Already allowed."]}
        ) from exc


@transaction.atomic
def allowed_domain_remove(*, domain_id: int) -> None:
    AllowedEmailDomain.objects.filter(pk=domain_id).delete()

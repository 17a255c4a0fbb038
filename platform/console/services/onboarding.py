"""Onboarding a council: a job row, then a Celery task that runs the stages.

The stages (schema, domain, licence, admin, welcome email) run in ONE transaction, so a
failure at any of them leaves no council row, schema, domain, licence, user or email behind
(PostgreSQL DDL is transactional). The welcome email is a row in the public outbox (mailer),
written in that same transaction and delivered, with retries, after it commits.

While the transaction runs nobody else can see its writes, so the task publishes the stage
it is at in the cache; the progress page reads that, and the job row once the task ends.
This follows tenants.services.council_provision step by step (same validators, same
pieces), split into stages the progress bar can name.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.services import user_create
from billing.services import licence_start_trial
from console import tasks
from console.models import OnboardingJob, TrialRequest
from core.errors import ApplicationError, Conflict, ValidationFailed
from core.links import council_host, council_url
from mailer.services import outbox_enqueue
from tenants.cloning import clone_template_into
from tenants.models import Council, Domain
from tenants.services import council_schema_name, council_validate_slug

logger = logging.getLogger(__name__)

Stage = OnboardingJob.Stage
# The stages the progress bar shows, in order.
STAGES = [Stage.VALIDATE, Stage.SCHEMA, Stage.DOMAIN, Stage.LICENCE, Stage.ADMIN, Stage.EMAIL]
PROGRESS_TTL_SECONDS = 60 * 60


def _progress_key(job_id: int) -> str:
    return f"console:onboarding:{job_id}:stage"


def onboarding_publish_stage(*, job_id: int, stage: str) -> None:
    """Tell the progress page which stage is running (cache: outside the transaction)."""
    cache.set(_progress_key(job_id), stage, PROGRESS_TTL_SECONDS)


def onboarding_live_stage(*, job: OnboardingJob) -> str:
    """The stage to show: the live one while the task runs, else the recorded one."""
    if job.status == OnboardingJob.Status.RUNNING:
        return str(cache.get(_progress_key(job.pk)) or job.stage)
    return job.stage


def onboarding_validate(
    *,
    name: str,
    slug: str,
    contact_email: str,
    trial_days: int,
    seats: int,
    admin_email: str,
    admin_name: str = "",
) -> dict[str, Any]:
    """Check the details and return them cleaned; every problem is reported per field."""
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = ["Enter the council's name, such as 'Fife Council'."]
    elif len(name) > 200:
        errors["name"] = ["At most 200 characters."]
    slug = (slug or "").strip()
    try:
        council_validate_slug(slug)
    except ValidationFailed as exc:
        errors["slug"] = [exc.message]
    for field_name, value, required in (
        ("admin_email", admin_email, True),
        ("contact_email", contact_email, False),
    ):
        value = (value or "").strip().lower()
        if not value and not required:
            continue
        try:
            validate_email(value)
        except Exception:
            errors[field_name] = ["Enter an email address like name@council.gov.uk."]
    if not isinstance(trial_days, int) or not 1 <= trial_days <= 365:
        errors["trial_days"] = ["A trial lasts from 1 to 365 days."]
    if not isinstance(seats, int) or not 1 <= seats <= 500:
        errors["seats"] = ["Seats (councillors taking part) must be from 1 to 500."]
    if errors:
        raise ValidationFailed("The council's details have errors; see fields.", extra=errors)
    if Council.objects.filter(slug=slug).exists():
        raise Conflict(
            f"A council with the address '{council_host(slug)}' already exists.",
            extra={"slug": ["Already in use by another council."]},
        )
    if Council.objects.filter(name__iexact=name).exists():
        raise Conflict(
            f"A council called '{name}' already exists.",
            extra={"name": ["Already on the platform."]},
        )
    if Domain.objects.filter(domain=council_host(slug)).exists():
        raise Conflict(
            f"The address '{council_host(slug)}' is already in use.",
            extra={"slug": ["Already in use."]},
        )
    return {
        "name": name,
        "slug": slug,
        "contact_email": (contact_email or "").strip().lower(),
        "trial_days": trial_days,
        "seats": seats,
        "admin_email": admin_email.strip().lower(),
        "admin_name": " ".join((admin_name or "").split()),
    }


def _queue_run(job_id: int) -> None:
    tasks.onboarding_run_task.delay(job_id=job_id)


@transaction.atomic
def onboarding_job_create(
    *,
    actor: str,
    name: str,
    slug: str,
    contact_email: str = "",
    trial_days: int = 90,
    seats: int = 10,
    admin_email: str,
    admin_name: str = "",
    trial_request: TrialRequest | None = None,
) -> OnboardingJob:
    """Record an onboarding job and queue its task (after commit). Details are checked now,
    so the form or API answers at once, and again by the task."""
    details = onboarding_validate(
        name=name,
        slug=slug,
        contact_email=contact_email,
        trial_days=trial_days,
        seats=seats,
        admin_email=admin_email,
        admin_name=admin_name,
    )
    try:
        with transaction.atomic():
            job = OnboardingJob.objects.create(
                **details,
                requested_by=actor,
                trial_request=trial_request,
            )
    except IntegrityError as exc:
        raise Conflict(
            f"The council '{details['slug']}' is already being created; see its progress.",
            extra={"slug": ["Already being created."]},
        ) from exc
    # robust: a broker outage must not turn the request into an error once the job is saved;
    # the job page then offers to queue it again (onboarding_requeue).
    transaction.on_commit(lambda: _queue_run(job.pk), robust=True)
    return job


def onboarding_requeue(*, job: OnboardingJob) -> None:
    """Queue a job's task again, e.g. after the broker was down when it was created. Safe
    to repeat: a job that is running or finished is left alone by the task."""
    if job.status != OnboardingJob.Status.QUEUED:
        raise Conflict("This job has already started; follow its progress instead.")
    transaction.on_commit(lambda: _queue_run(job.pk))


def set_password_url(*, job: OnboardingJob, user: Any) -> str:
    """The first admin's link, on the council's own host (their account lives there)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse(
        "accounts:set-password",
        urlconf=settings.ROOT_URLCONF,
        kwargs={"uidb64": uid, "token": token},
    )
    return council_url(slug=job.slug, path=path)


def _welcome_email(*, job: OnboardingJob, council: Council, link: str, trial_ends: Any) -> Any:
    context = {
        "job": job,
        "council": council,
        "link": link,
        "trial_ends": trial_ends,
        "address": council_url(slug=job.slug, path="/").removesuffix("/"),
        "platform_name": settings.PLATFORM_NAME,
        "password_days": settings.PASSWORD_RESET_TIMEOUT // 86400,
    }
    return outbox_enqueue(
        to=[job.admin_email],
        subject=f"Your council's caseload service is ready: {council.name}",
        body_text=render_to_string("console/emails/welcome.txt", context),
        dedupe_key=f"onboarding-welcome:{job.pk}:{timezone.now():%Y%m%d%H%M%S%f}",
        kind="onboarding_welcome",
    )


def _run_stages(job: OnboardingJob) -> None:
    """Every stage, in the caller's transaction. Raises on the first failure."""
    onboarding_publish_stage(job_id=job.pk, stage=Stage.VALIDATE)
    job.stage = Stage.VALIDATE
    onboarding_validate(
        name=job.name,
        slug=job.slug,
        contact_email=job.contact_email,
        trial_days=job.trial_days,
        seats=job.seats,
        admin_email=job.admin_email,
        admin_name=job.admin_name,
    )
    schema_name = council_schema_name(job.slug)

    job.stage = Stage.SCHEMA
    onboarding_publish_stage(job_id=job.pk, stage=job.stage)
    try:
        with transaction.atomic():
            council = Council.objects.create(
                slug=job.slug,
                name=job.name,
                schema_name=schema_name,
                contact_email=job.contact_email,
                status=Council.Status.PROVISIONING,
            )
    except IntegrityError as exc:
        raise Conflict(f"A council with slug '{job.slug}' already exists.") from exc
    used_spare = clone_template_into(schema_name)

    job.stage = Stage.DOMAIN
    onboarding_publish_stage(job_id=job.pk, stage=job.stage)
    try:
        with transaction.atomic():
            Domain.objects.create(domain=council_host(job.slug), tenant=council, is_primary=True)
    except IntegrityError as exc:
        raise Conflict(f"The address '{council_host(job.slug)}' is in use.") from exc

    job.stage = Stage.LICENCE
    onboarding_publish_stage(job_id=job.pk, stage=job.stage)
    licence = licence_start_trial(
        council=council, days=job.trial_days, seats=job.seats, actor=job.requested_by
    )

    job.stage = Stage.ADMIN
    onboarding_publish_stage(job_id=job.pk, stage=job.stage)
    with schema_context(schema_name):
        admin = user_create(
            email=job.admin_email,
            name=job.admin_name or job.admin_email.split("@")[0],
            role="admin",
            password=None,  # unusable until they follow the welcome link
        )
        link = set_password_url(job=job, user=admin)

    job.stage = Stage.EMAIL
    onboarding_publish_stage(job_id=job.pk, stage=job.stage)
    welcome = _welcome_email(job=job, council=council, link=link, trial_ends=licence.trial_ends_at)

    council.status = Council.Status.READY
    council.save(update_fields=["status", "updated_at"])
    job.council = council
    job.welcome_email = welcome
    job.status = OnboardingJob.Status.SUCCEEDED
    job.stage = Stage.DONE
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "council",
            "welcome_email",
            "status",
            "stage",
            "finished_at",
            "updated_at",
        ]
    )
    if used_spare:
        from tenants.tasks import spare_pool_refill_task

        transaction.on_commit(spare_pool_refill_task.delay)


def _failure_message(exc: BaseException, stage: str) -> str:
    label = OnboardingJob.Stage(stage).label
    if isinstance(exc, ApplicationError):
        return f"{label}: {exc.message}"
    return (
        f"{label}: an unexpected error stopped it ({type(exc).__name__}: {exc}). "
        "Nothing was created; the details are in the worker's log."
    )


def onboarding_run(*, job_id: int) -> OnboardingJob:
    """Run a queued job. Idempotent: a finished job is returned as it is, and a second
    delivery of the task waits for the first (row lock) and then sees it finished."""
    with transaction.atomic():
        job = OnboardingJob.objects.select_for_update().get(pk=job_id)
        if job.is_finished:
            return job
        job.status = OnboardingJob.Status.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.save(update_fields=["status", "started_at", "updated_at"])
    try:
        with transaction.atomic():
            # Held until commit, so a duplicate delivery cannot run the stages twice.
            job = OnboardingJob.objects.select_for_update().get(pk=job_id)
            if job.status != OnboardingJob.Status.RUNNING:
                return job
            _run_stages(job)
    except Exception as exc:
        stage = job.stage if job.stage in STAGES else Stage.VALIDATE
        if isinstance(exc, ApplicationError):
            logger.info("onboarding job %s refused at %s: %s", job_id, stage, exc.message)
        else:  # logged as an error, so Sentry's logging integration reports it
            logger.exception("onboarding job %s failed at %s", job_id, stage)
        OnboardingJob.objects.filter(pk=job_id, status=OnboardingJob.Status.RUNNING).update(
            status=OnboardingJob.Status.FAILED,
            stage=stage,
            failed_stage=stage,
            error=_failure_message(exc, stage),
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        onboarding_publish_stage(job_id=job_id, stage=stage)
        return OnboardingJob.objects.get(pk=job_id)
    onboarding_publish_stage(job_id=job_id, stage=Stage.DONE)
    return job


@transaction.atomic
def onboarding_resend_welcome(*, job: OnboardingJob, actor: str) -> Any:
    """A fresh set-password link for the first admin (links expire after a few days).
    Refused once the admin has set a password: then they sign in or reset it themselves."""
    if job.status != OnboardingJob.Status.SUCCEEDED or job.council is None:
        raise Conflict("Only a council that was created can be sent a welcome email.")
    with schema_context(job.council.schema_name):
        admin = User.objects.filter(email=job.admin_email).first()
        if admin is None:
            raise Conflict(f"{job.admin_email} is no longer a user of {job.council.name}.")
        if admin.has_usable_password():
            raise Conflict(
                f"{job.admin_email} has already set a password; they can sign in at the "
                "council's address."
            )
        link = set_password_url(job=job, user=admin)
    licence = getattr(job.council, "licence", None)
    email = _welcome_email(
        job=job,
        council=job.council,
        link=link,
        trial_ends=licence.trial_ends_at if licence else None,
    )
    job.welcome_email = email
    job.save(update_fields=["welcome_email", "updated_at"])
    logger.info("welcome email for job %s sent again by %s", job.pk, actor)
    return email

"""Onboarding a council: a job row, then a Celery task that runs the stages.

The stages (schema, domain, licence, admin, welcome email) run in ONE transaction, so a
failure at any of them leaves no council row, schema, domain, licence, user or email behind
(PostgreSQL DDL is transactional). The welcome email is a row in the public outbox (mailer),
written in that same transaction and delivered, with retries, after it commits.

While the transaction runs nobody else can see its writes, so the task publishes the stage
it is at in the cache; the progress page reads that, and the job row once the task ends.
The council itself is made by console.services.council_provision, which tells this module
each stage as it starts; onboarding adds only the progress reporting and the welcome email.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.selectors import set_password_url
from console import tasks
from console.models import OnboardingJob, TrialRequest
from console.services.provisioning import council_details_validate, council_provision
from core.errors import ApplicationError, Conflict, StateError
from core.links import council_url
from mailer.services import outbox_enqueue
from tenants.models import Council

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
    details = council_details_validate(
        name=name,
        slug=slug,
        contact_email=contact_email,
        trial_days=trial_days,
        seats=seats,
        admin_email=admin_email,
        admin_name=admin_name,
        admin_required=True,  # onboarding always invites a first admin
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

    def report(stage: str) -> None:
        job.stage = stage
        onboarding_publish_stage(job_id=job.pk, stage=stage)

    # The details were checked when the job was made; council_provision checks them again,
    # since another council may have taken the name or address since.
    made = council_provision(
        slug=job.slug,
        name=job.name,
        trial_days=job.trial_days,
        seats=job.seats,
        admin_email=job.admin_email,
        admin_name=job.admin_name,
        contact_email=job.contact_email,
        actor=job.requested_by,
        on_stage=report,
    )
    if made.admin is None:  # the job's admin_email was required when it was made
        raise StateError("The job has no first administrator to invite.")
    report(Stage.EMAIL)
    welcome = _welcome_email(
        job=job,
        council=made.council,
        link=set_password_url(user=made.admin, council_slug=job.slug),
        trial_ends=made.licence.trial_ends_at,
    )
    job.council = made.council
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
        link = set_password_url(user=admin, council_slug=job.slug)
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

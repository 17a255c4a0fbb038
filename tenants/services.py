"""Writes for councils: slugs, schemas, domains, readiness and the activity heartbeat.

A whole council (with its licence and first admin) is provisioned by
console.services.council_provision, which uses these pieces."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from core.errors import Conflict, ValidationFailed
from core.links import council_host
from tenants import tasks
from tenants.cloning import clone_template_into
from tenants.models import SLUG_MAX_LENGTH, SLUG_PATTERN, Council, Domain

# Hostnames and schema names we keep for the platform itself.
RESERVED_SLUGS = frozenset(
    {
        "www",
        "api",
        "admin",
        "app",
        "platform",
        "public",
        "static",
        "media",
        "mail",
        "billing",
        "status",
        "council-template",
        "template",
        "information-schema",
    }
)


def council_schema_name(slug: str) -> str:
    """`east-dunbartonshire` -> `east_dunbartonshire`. Hostnames allow hyphens, schemas don't."""
    return slug.replace("-", "_")


def council_validate_slug(slug: str) -> str:
    """Return the slug if it can name a council's host and schema; else say exactly why not."""
    if not slug:
        raise ValidationFailed("A council needs a slug, such as 'east-dunbartonshire'.")
    if slug != slug.lower():
        raise ValidationFailed(
            f"Slug '{slug}' has capital letters; use lower case, such as "
            f"'{slug.lower().replace('_', '-')}'."
        )
    if len(slug) > SLUG_MAX_LENGTH:
        raise ValidationFailed(
            f"Slug '{slug}' is {len(slug)} characters long; the limit is {SLUG_MAX_LENGTH}."
        )
    if "_" in slug:
        raise ValidationFailed(
            f"Slug '{slug}' has an underscore; use hyphens between words, such as "
            f"'{slug.replace('_', '-')}'."
        )
    if not re.fullmatch(SLUG_PATTERN, slug):
        raise ValidationFailed(
            f"Slug '{slug}' is not valid: use lower-case letters and digits, with single "
            "hyphens between words, starting with a letter (e.g. 'east-dunbartonshire')."
        )
    if slug in RESERVED_SLUGS or slug.startswith(("pg-", "spare-")):
        raise ValidationFailed(f"Slug '{slug}' is reserved for the platform; choose another.")
    return slug


@dataclass(frozen=True)
class NewSchema:
    council: Council
    used_spare: bool  # a spare schema was renamed (the pool is refilled after commit)


def council_schema_create(*, slug: str, name: str, contact_email: str = "") -> NewSchema:
    """The council's row, still provisioning, and its schema cloned from the template.

    Call it inside the provisioning transaction (console.services.council_provision): the
    DDL is transactional, so a later failure leaves neither behind."""
    schema_name = council_schema_name(slug)
    try:
        with transaction.atomic():
            council = Council.objects.create(
                slug=slug,
                name=name,
                schema_name=schema_name,
                contact_email=contact_email,
                status=Council.Status.PROVISIONING,
            )
    except IntegrityError as exc:
        # Two requests racing for the same slug: the unique constraints decide.
        raise Conflict(f"A council with slug '{slug}' already exists.") from exc
    used_spare = clone_template_into(schema_name)
    if used_spare:
        transaction.on_commit(tasks.spare_pool_refill_task.delay)
    return NewSchema(council=council, used_spare=used_spare)


def council_domain_add(*, council: Council) -> Domain:
    """The council's host, `<slug>.<PLATFORM_DOMAIN>`, as its primary domain."""
    domain = council_host(council.slug)
    try:
        with transaction.atomic():
            return Domain.objects.create(domain=domain, tenant=council, is_primary=True)
    except IntegrityError as exc:
        raise Conflict(f"The address '{domain}' is in use.") from exc


def council_mark_ready(*, council: Council) -> None:
    """From now on the council's host answers and beat's fan-out includes it."""
    council.status = Council.Status.READY
    council.save(update_fields=["status", "updated_at"])


def council_record_heartbeat(*, schema_name: str) -> str | None:
    """Copy the latest sign-in time of the council in `schema_name` to its public row.

    Runs inside the council's schema; only a timestamp crosses to the public schema.
    Returns None (and does nothing) for a council that is not ready, e.g. one queued by beat
    just before it was suspended.
    """
    council = Council.objects.filter(schema_name=schema_name, status=Council.Status.READY).first()
    if council is None:
        return None
    council.last_activity_at = User.objects.aggregate(last=Max("last_login"))["last"]
    council.heartbeat_at = timezone.now()
    council.save(update_fields=["last_activity_at", "heartbeat_at", "updated_at"])
    return schema_name

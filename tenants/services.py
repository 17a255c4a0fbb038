"""Writes for councils: validation of names, provisioning, domains."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django_tenants.utils import schema_context

from core.errors import Conflict, ValidationFailed
from core.links import council_host
from tenants.cloning import clone_template_into
from tenants.models import SLUG_MAX_LENGTH, SLUG_PATTERN, Council, Domain

if TYPE_CHECKING:
    from accounts.models import User

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
class ProvisionResult:
    council: Council
    domain: Domain
    admin: User | None
    used_spare: bool = False


@transaction.atomic
def council_provision(
    *,
    slug: str,
    name: str,
    trial_days: int = 90,
    seats: int = 10,
    admin_email: str | None = None,
    admin_password: str | None = None,
    admin_name: str = "",
    contact_email: str = "",
    actor: str = "system",
) -> ProvisionResult:
    """Create a council: schema (cloned from the template), domain, trial licence, first admin.

    Everything happens in one transaction, DDL included, so any failure leaves no schema,
    domain, licence or user behind.
    """
    from accounts.services import user_create
    from billing.services import licence_start_trial

    slug = council_validate_slug(slug.strip())
    name = name.strip()
    if not name:
        raise ValidationFailed("A council needs a name, such as 'Fife Council'.")
    if trial_days < 1 or trial_days > 365:
        raise ValidationFailed("Trial length must be between 1 and 365 days.")
    if seats < 1:
        raise ValidationFailed("A council needs at least one seat.")
    schema_name = council_schema_name(slug)
    domain_name = council_host(slug)
    if Council.objects.filter(slug=slug).exists():
        raise Conflict(f"A council with slug '{slug}' already exists.")
    if Domain.objects.filter(domain=domain_name).exists():
        raise Conflict(f"The domain '{domain_name}' is already in use.")

    try:
        with transaction.atomic():
            council = Council.objects.create(
                slug=slug,
                name=name,
                schema_name=schema_name,
                contact_email=contact_email,
                status=Council.Status.PROVISIONING,
            )
            used_spare = clone_template_into(schema_name)
            domain = Domain.objects.create(domain=domain_name, tenant=council, is_primary=True)
    except IntegrityError as exc:
        # Two requests racing for the same slug: the unique constraints decide.
        raise Conflict(f"A council with slug '{slug}' already exists.") from exc

    licence_start_trial(council=council, days=trial_days, seats=seats, actor=actor)

    admin = None
    if admin_email:
        with schema_context(schema_name):
            admin = user_create(
                email=admin_email,
                password=admin_password,
                name=admin_name or admin_email.split("@")[0],
                role="admin",
            )

    council.status = Council.Status.READY
    council.save(update_fields=["status", "updated_at"])
    if used_spare:
        from tenants.tasks import spare_pool_refill_task

        transaction.on_commit(spare_pool_refill_task.delay)
    return ProvisionResult(
        council=council,
        domain=domain,
        admin=admin,
        used_spare=used_spare,
    )


def council_record_heartbeat(*, schema_name: str) -> str | None:
    """Copy the latest sign-in time of the council in `schema_name` to its public row.

    Runs inside the council's schema; only a timestamp crosses to the public schema.
    Returns None (and does nothing) for a council that is not ready, e.g. one queued by beat
    just before it was suspended.
    """
    from django.db.models import Max
    from django.utils import timezone

    from accounts.models import User

    council = Council.objects.filter(schema_name=schema_name, status=Council.Status.READY).first()
    if council is None:
        return None
    council.last_activity_at = User.objects.aggregate(last=Max("last_login"))["last"]
    council.heartbeat_at = timezone.now()
    council.save(update_fields=["last_activity_at", "heartbeat_at", "updated_at"])
    return schema_name

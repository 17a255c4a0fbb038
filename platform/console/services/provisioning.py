"""Provisioning a council: the one way a council comes into being.

`council_provision` checks the details, then in the caller's transaction creates the
council's row and schema (cloned from the template), its domain, its trial licence and its
first admin, and marks it ready. PostgreSQL DDL is transactional, so a failure at any step
leaves no schema, row, domain, licence or user behind. `create_council`, the demo seeder,
the tests and the onboarding task (which adds its progress reporting and welcome email)
all come through here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.validators import validate_email
from django.db import transaction
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.services import user_create
from billing.models import Licence
from billing.services import licence_start_trial
from caseload.services import categories_seed
from console.categories import NEW_COUNCIL_CATEGORIES
from console.models import OnboardingJob
from core.errors import Conflict, ValidationFailed
from core.links import council_host
from tenants.models import Council, Domain
from tenants.services import (
    council_domain_add,
    council_mark_ready,
    council_schema_create,
    council_validate_slug,
)

Stage = OnboardingJob.Stage
MAX_TRIAL_DAYS = 365
MAX_SEATS = 500


def council_details_validate(
    *,
    name: str,
    slug: str,
    trial_days: int,
    seats: int,
    admin_email: str | None = None,
    contact_email: str = "",
    admin_name: str = "",
    admin_required: bool = False,
) -> dict[str, Any]:
    """Check a new council's details and return them cleaned. Every problem with the
    details is reported per field (ValidationFailed); a name, slug or address already taken
    is a Conflict."""
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
    emails = {}
    for field_name, value in (("admin_email", admin_email), ("contact_email", contact_email)):
        value = (value or "").strip().lower()
        if value or (field_name == "admin_email" and admin_required):
            try:
                validate_email(value)
            except Exception:
                errors[field_name] = ["Enter an email address like name@council.gov.uk."]
        emails[field_name] = value
    if not isinstance(trial_days, int) or not 1 <= trial_days <= MAX_TRIAL_DAYS:
        errors["trial_days"] = [f"A trial lasts from 1 to {MAX_TRIAL_DAYS} days."]
    if not isinstance(seats, int) or not 1 <= seats <= MAX_SEATS:
        errors["seats"] = [f"Seats (councillors taking part) must be from 1 to {MAX_SEATS}."]
    if errors:
        if len(errors) == 1:
            # One thing wrong: say it plainly (create_council prints this message).
            [message] = next(iter(errors.values()))
            raise ValidationFailed(message, extra=errors)
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
        "contact_email": emails["contact_email"],
        "trial_days": trial_days,
        "seats": seats,
        "admin_email": emails["admin_email"],
        "admin_name": " ".join((admin_name or "").split()),
    }


@dataclass(frozen=True)
class ProvisionResult:
    council: Council
    domain: Domain
    licence: Licence
    admin: User | None
    used_spare: bool = False


def _no_report(stage: str) -> None:
    return None


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
    on_stage: Callable[[str], None] = _no_report,
    standard_categories: bool = True,
) -> ProvisionResult:
    """Create a council: schema (cloned from the template), domain, trial licence, the
    standard case categories (console.categories.NEW_COUNCIL_CATEGORIES, which its admins
    then edit; `standard_categories=False` starts it with none), first admin (invited
    without a password unless `admin_password` is given), then ready.

    Everything happens in one transaction, DDL included. `on_stage` is told each stage
    (OnboardingJob.Stage) as it starts, for a progress bar.
    """
    on_stage(Stage.VALIDATE)
    details = council_details_validate(
        name=name,
        slug=slug,
        trial_days=trial_days,
        seats=seats,
        admin_email=admin_email,
        contact_email=contact_email,
        admin_name=admin_name,
    )
    on_stage(Stage.SCHEMA)
    new = council_schema_create(
        slug=details["slug"], name=details["name"], contact_email=details["contact_email"]
    )
    council = new.council
    on_stage(Stage.DOMAIN)
    domain = council_domain_add(council=council)
    on_stage(Stage.LICENCE)
    licence = licence_start_trial(council=council, days=trial_days, seats=seats, actor=actor)
    if standard_categories:
        with schema_context(council.schema_name):
            categories_seed(names=NEW_COUNCIL_CATEGORIES)
    admin = None
    if details["admin_email"]:
        on_stage(Stage.ADMIN)
        with schema_context(council.schema_name):
            admin = user_create(
                email=details["admin_email"],
                password=admin_password,
                name=details["admin_name"] or details["admin_email"].split("@")[0],
                role=User.Role.ADMIN,
            )
    council_mark_ready(council=council)
    return ProvisionResult(
        council=council, domain=domain, licence=licence, admin=admin, used_spare=new.used_spare
    )

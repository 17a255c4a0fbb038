"""The demo seeder behind `seed_demo`: the five pilot councils with their people.

Each app with demo data of its own has a `demo_seeder` module with `seed(council=, rng=)`;
this module calls them, in order, after the users exist. Everything is idempotent: a
second run adds nothing.
"""

from __future__ import annotations

import base64
import random

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context
from faker import Faker

from accounts.models import User
from accounts.selectors import ALWAYS_TWO_FACTOR
from accounts.services import user_create
from caseload import demo_seeder as caseload_demo
from caseload.services import member_add
from console import demo_seeder as console_demo
from console.services import council_provision
from correspondence import demo_seeder as correspondence_demo
from feedback import demo_seeder as feedback_demo
from localdev.demo_councils import (
    DEMO_COUNCILS,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    PILOT_COUNCILLORS,
)
from reminders import demo_seeder as reminders_demo
from tenants.models import Council

# Casework first, then the BFs and referrals every dashboard shows (built on it); the console
# last, since it computes the comparison figures from everything seeded before it.
DEMO_SEEDERS = (
    caseload_demo.seed,
    reminders_demo.seed,
    correspondence_demo.seed,
    feedback_demo.seed,
    console_demo.seed,
)

COUNCILLORS_PER_COUNCIL = PILOT_COUNCILLORS  # the pilot's ten volunteer councillors
STAFF_PER_COUNCIL = 2


def _seed_people(council: Council, wards: list[str], rng: random.Random, hashed: str) -> None:
    fake = Faker("en_GB")
    fake.seed_instance(rng.randint(0, 2**31))
    domain = f"{council.slug}.example.gov.uk"
    with schema_context(council.schema_name):
        if User.objects.filter(email=f"admin@{domain}").exists():
            return
        people = [("admin", "admin", "")]
        people += [("staff", "staff", "")] + [
            (f"staff{i}", "staff", "") for i in range(2, STAFF_PER_COUNCIL + 1)
        ]
        people += [("councillor", "councillor", wards[0])] + [
            (f"councillor{i}", "councillor", wards[(i - 1) % len(wards)])
            for i in range(2, COUNCILLORS_PER_COUNCIL + 1)
        ]
        for local, role, ward in people:
            member_add(
                actor=None,
                email=f"{local}@{domain}",
                # First and last name only: Faker's name() may carry "Mr" or "Dr", which
                # would make "Cllr Mr ..." for a councillor.
                name=f"{'Cllr ' if role == 'councillor' else ''}"
                f"{fake.first_name()} {fake.last_name()}",
                role=role,
                ward=ward,
            )
        # One hash for every demo account: hashing 65 passwords one by one takes ~20 s.
        User.objects.update(password=hashed)


def demo_totp_key() -> str:
    """DEMO_TOTP_SECRET as django-otp stores a key (hex)."""
    return base64.b32decode(DEMO_TOTP_SECRET).hex()


def enrol_demo_second_factor() -> None:
    """Admins and central staff must sign in with a second factor: the demo ones (only the
    demo's own accounts, never one made by hand) get an authenticator app already set up,
    with the printed demo key (in the current schema)."""
    demo = Q(email__endswith=".example.gov.uk") | Q(email="central@localhost")
    for user in User.objects.filter(demo, role__in=ALWAYS_TWO_FACTOR):
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(
                user=user, name="Demo authenticator", key=demo_totp_key(), confirmed=True
            )


def seed_demo(*, stdout_write=print) -> None:
    hashed = make_password(DEMO_PASSWORD)
    with schema_context("public"):
        if not User.objects.filter(email="central@localhost").exists():
            user_create(email="central@localhost", name="Central Body Analyst", role="central")
            User.objects.filter(email="central@localhost").update(password=hashed)
        enrol_demo_second_factor()
    for index, (slug, name, wards) in enumerate(DEMO_COUNCILS):
        rng = random.Random(f"demo-{slug}")
        council = Council.objects.filter(slug=slug).first()
        if council is None:
            council = council_provision(
                slug=slug,
                name=name,
                seats=COUNCILLORS_PER_COUNCIL + 2,
                trial_days=90 - index * 15,
                actor="seed_demo",
            ).council
            stdout_write(f"Created {name} ({council.schema_name})")
        with transaction.atomic():
            _seed_people(council, wards, rng, hashed)
            with schema_context(council.schema_name):
                enrol_demo_second_factor()
        for seed in DEMO_SEEDERS:
            seed(council=council, rng=rng)
    stdout_write("Demo data ready.")

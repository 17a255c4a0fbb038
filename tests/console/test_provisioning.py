"""Provisioning a council (console.services.council_provision and `create_council`): the
schema, domain, trial licence and first admin in one transaction, or nothing at all."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context, schema_exists

from accounts.models import User
from billing.models import Licence, LicenceState
from console.services import council_provision
from core.errors import Conflict, ValidationFailed
from tenants.models import Council, Domain


@pytest.mark.django_db
def test_provision_creates_schema_domain_licence_and_admin() -> None:
    result = council_provision(
        slug="east-dunbartonshire",
        name="East Dunbartonshire Council",
        trial_days=30,
        seats=4,
        admin_email="Admin@EastDunbarton.gov.uk",
        admin_password="A-long-passphrase-1",
    )
    council = result.council
    assert council.schema_name == "east_dunbartonshire"
    assert council.status == Council.Status.READY
    assert result.domain.domain == "east-dunbartonshire.localhost"
    assert schema_exists("east_dunbartonshire")
    licence = Licence.objects.get(council=council)
    assert licence.state == LicenceState.TRIAL
    assert licence.seats == 4
    assert licence.transitions.count() == 1
    with schema_context("east_dunbartonshire"):
        admin = User.objects.get()
        assert admin.email == "admin@eastdunbarton.gov.uk"
        assert admin.role == User.Role.ADMIN
        assert admin.check_password("A-long-passphrase-1")
    with schema_context("public"):
        assert not User.objects.filter(email="admin@eastdunbarton.gov.uk").exists()


@pytest.mark.django_db
def test_provision_without_password_invites_admin() -> None:
    result = council_provision(slug="inverclyde", name="Inverclyde", admin_email="a@inv.gov.uk")
    assert result.admin is not None
    assert not result.admin.has_usable_password()


@pytest.mark.django_db
def test_failure_at_last_stage_leaves_nothing_behind(monkeypatch) -> None:
    with pytest.raises(ValidationFailed):
        council_provision(slug="fife", name="Fife Council", admin_email="not-an-email")
    assert not schema_exists("fife")
    assert not Council.objects.filter(slug="fife").exists()

    # The details are checked first; a refusal by the last stage itself (the first admin)
    # also takes back the schema, council, domain and licence made before it.
    def refuse(**kwargs):
        raise ValidationFailed("'x' is not a valid email address.")

    monkeypatch.setattr("console.services.provisioning.user_create", refuse)
    with pytest.raises(ValidationFailed):
        council_provision(slug="fife", name="Fife Council", admin_email="admin@fife.gov.uk")
    assert not schema_exists("fife")
    assert not Council.objects.filter(slug="fife").exists()
    assert not Domain.objects.filter(domain="fife.localhost").exists()
    assert not Licence.objects.filter(council__slug="fife").exists()


@pytest.mark.django_db
def test_duplicate_slug_is_a_conflict(council_a) -> None:
    with pytest.raises(Conflict, match="already exists"):
        council_provision(slug="council-a", name="Another A")


@pytest.mark.django_db
def test_create_council_command_prints_json() -> None:
    import json
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("create_council", "north-lanarkshire", name="North Lanarkshire", stdout=out)
    data = json.loads(out.getvalue())
    assert data["slug"] == "north-lanarkshire"
    assert data["schema"] == "north_lanarkshire"
    assert data["domain"] == "north-lanarkshire.localhost"
    assert data["seconds"] > 0

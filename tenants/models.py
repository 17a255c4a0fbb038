from __future__ import annotations

from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Replace
from django_tenants.models import DomainMixin, TenantMixin

# Lower-case letters and digits, single hyphens between words; no leading digit.
SLUG_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
SLUG_MAX_LENGTH = 50


class Council(TenantMixin):
    """A council: one PostgreSQL schema, one subdomain.

    The schema name is derived from the slug (hyphens become underscores) and the database
    enforces that, so a hostname can never be mistaken for someone else's schema.
    """

    class Status(models.TextChoices):
        PROVISIONING = "provisioning", "Provisioning"
        READY = "ready", "Ready"
        SUSPENDED = "suspended", "Suspended"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=SLUG_MAX_LENGTH, unique=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PROVISIONING, db_index=True
    )
    contact_email = models.EmailField(blank=True)
    # Filled by the council heartbeat task (run inside the council's schema by beat).
    last_activity_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Provisioning clones the template itself (tenants.cloning) inside one transaction.
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(slug__regex=SLUG_PATTERN), name="council_slug_format"
            ),
            models.CheckConstraint(
                condition=Q(schema_name=Replace(F("slug"), Value("-"), Value("_"))),
                name="council_schema_matches_slug",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY


class Domain(DomainMixin):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant"],
                condition=Q(is_primary=True),
                name="domain_one_primary_per_council",
            )
        ]

    def __str__(self) -> str:
        return self.domain


class TemplateSnapshot(models.Model):
    """The DDL and seed rows of the migrated council template, ready to replay.

    Rebuilt by migrate_schemas whenever the template's migrations change. Provisioning
    replays it into a new schema in one round trip instead of running migrations.
    """

    fingerprint = models.CharField(max_length=64, unique=True)
    migration_count = models.PositiveIntegerField()
    sql = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"template {self.fingerprint[:12]} ({self.migration_count} migrations)"


class SpareSchema(models.Model):
    """A schema already cloned from the current template, waiting for a council.

    Provisioning renames one (`ALTER SCHEMA ... RENAME`, about a millisecond) instead of
    replaying the snapshot; a Celery task tops the pool up afterwards. Spares made from an
    older template are dropped by migrate_schemas.
    """

    name = models.CharField(max_length=63, unique=True)
    fingerprint = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(name__regex=r"^spare_[a-z0-9]+$"), name="spare_schema_name_format"
            )
        ]

    def __str__(self) -> str:
        return self.name

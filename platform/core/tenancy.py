"""Typed access to django-tenants' connection (its schema attributes are added at runtime)."""

from __future__ import annotations

from typing import cast

from django.db import connection
from django_tenants.postgresql_backend.base import DatabaseWrapper

PUBLIC_SCHEMA = "public"


def tenant_connection() -> DatabaseWrapper:
    return cast(DatabaseWrapper, connection)


def current_schema() -> str:
    return str(tenant_connection().schema_name)


def in_public_schema() -> bool:
    return current_schema() == PUBLIC_SCHEMA

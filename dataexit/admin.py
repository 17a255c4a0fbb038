from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dataexit.models import DataExit


@admin.register(DataExit)
class DataExitAdmin(admin.ModelAdmin):
    """Read-only: every change goes through dataexit.services (two admins, audited)."""

    list_display = ("id", "status", "requested_by", "decided_by", "created_at", "expires_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

"""Django admin for caseload: read-only inspection of reference data (the audit log,
which records who read what, is searched on the council's /audit/ page).

Changes go through the API and the council's own pages, which call the services (so every
rule and every history entry applies); the Django admin would bypass them, so nothing here
can be added, changed or deleted. Casework itself (constituents, cases, actions,
referrals, attachments) is not registered at all: council admins do not read casework
(see caseload.selectors.access), and the history is append-only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from caseload.models import (
    CaseloadSettings,
    Category,
    CouncilHoliday,
    Delegation,
    Officer,
    PostcodeUpload,
    Ward,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdmin):
    list_display = ("name", "is_active", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("name",)


@admin.register(Ward)
class WardAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "is_current")
    list_filter = ("is_current",)
    search_fields = ("name", "code")


@admin.register(Officer)
class OfficerAdmin(ReadOnlyAdmin):
    list_display = ("name", "job_title", "service", "email", "is_active")
    list_filter = ("is_active", "service")
    search_fields = ("name", "email", "service")


@admin.register(CouncilHoliday)
class CouncilHolidayAdmin(ReadOnlyAdmin):
    list_display = ("date", "name", "source", "is_removed")
    list_filter = ("source", "is_removed")


@admin.register(Delegation)
class DelegationAdmin(ReadOnlyAdmin):
    list_display = ("staff", "councillor", "granted_by", "created_at")


@admin.register(CaseloadSettings)
class CaseloadSettingsAdmin(ReadOnlyAdmin):
    list_display = ("reference_prefix", "referral_target_days", "updated_at")


@admin.register(PostcodeUpload)
class PostcodeUploadAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "uploaded_by", "rows_loaded", "open_cases_rederived")

"""Read-only views of billing records. State changes go through the console or the API,
which call billing.services.licence_transition (the admin must not bypass it)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from billing.models import Licence, LicenceTransition, TrialNotice, WebhookEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Licence)
class LicenceAdmin(ReadOnlyAdmin):
    list_display = ("council", "state", "trial_ends_at", "seats", "payment_method")
    list_filter = ("state", "payment_method")
    list_select_related = ("council",)
    search_fields = ("council__name", "council__slug", "stripe_customer_id")


@admin.register(LicenceTransition)
class LicenceTransitionAdmin(ReadOnlyAdmin):
    list_display = ("licence", "from_state", "to_state", "actor", "created_at")
    list_filter = ("to_state",)
    list_select_related = ("licence__council",)


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("event_id", "type", "outcome", "event_created", "created_at")
    list_filter = ("type", "outcome")
    search_fields = ("event_id",)


@admin.register(TrialNotice)
class TrialNoticeAdmin(ReadOnlyAdmin):
    list_display = ("licence", "kind", "trial_ends_at", "sent_at", "recipients")
    list_select_related = ("licence__council",)

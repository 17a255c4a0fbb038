from django.contrib import admin

from mailer.models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "subject", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("subject", "dedupe_key", "message_id")
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]

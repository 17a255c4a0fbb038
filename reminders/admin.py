from django.contrib import admin

from reminders.models import BF, BFRule


@admin.register(BFRule)
class BFRuleAdmin(admin.ModelAdmin):
    list_display = ("trigger", "working_days", "reason", "is_active")
    list_filter = ("trigger", "is_active")


@admin.register(BF)
class BFAdmin(admin.ModelAdmin):
    list_display = ("id", "case", "due_date", "owner", "source", "done")
    list_filter = ("done", "source")
    raw_id_fields = ("case", "owner", "created_by", "done_by", "referral", "rule")

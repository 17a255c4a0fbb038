"""Read-only Django admin views of retention (changes go through the services)."""

from django.contrib import admin

from caseload.admin import ReadOnlyAdmin
from privacy.models import AnonymisedCase, LegalHold, RetentionRun, RetentionSchedule

admin.site.register(RetentionSchedule, ReadOnlyAdmin)
admin.site.register(LegalHold, ReadOnlyAdmin)
admin.site.register(RetentionRun, ReadOnlyAdmin)
admin.site.register(AnonymisedCase, ReadOnlyAdmin)

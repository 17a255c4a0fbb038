"""The audit log (platform/audit) and the council's data exit (caseload.data_exit)."""

from django.core.exceptions import ImproperlyConfigured

from config.settings.env import env

# The database itself refuses to remove an entry younger than this floor, whatever the
# setting says (audit/migrations/0001_initial.py), so a mistyped value cannot empty the log.
AUDIT_RETENTION_FLOOR_DAYS = 365
# How long audit entries are kept. Six years by default: the period within which a claim
# about the handling of someone's data can be brought (Limitation Act 1980, s. 2 and 5).
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=6 * 365 + 2)
if AUDIT_RETENTION_DAYS < AUDIT_RETENTION_FLOOR_DAYS:
    raise ImproperlyConfigured(
        f"AUDIT_RETENTION_DAYS={AUDIT_RETENTION_DAYS} is below the floor of "
        f"{AUDIT_RETENTION_FLOOR_DAYS} days the database enforces."
    )

"""The audit log (platform/audit) and the council's data exit (dataexit)."""

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

# How long a data exit's archive can be downloaded once built; the hourly sweep then
# deletes it (dataexit.services.data_exit_expire_due).
DATA_EXIT_EXPIRY_HOURS = env.int("DATA_EXIT_EXPIRY_HOURS", default=72)
if DATA_EXIT_EXPIRY_HOURS < 1:
    raise ImproperlyConfigured("DATA_EXIT_EXPIRY_HOURS must be at least 1.")

"""Retention of casework (the privacy app): how long a closed case is kept by default, and
how long a case due for anonymisation is shown to admins before a run may anonymise it."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from config.settings.env import env

# Two years after closing unless the council sets a period for the category: the practice of
# FixMyStreet and WriteToThem, and long enough for a constituent's follow-up or complaint.
RETENTION_DEFAULT_MONTHS = env.int("RETENTION_DEFAULT_MONTHS", default=24)
# Days a case stays on the "about to be anonymised" list before a run may anonymise it.
RETENTION_PREVIEW_DAYS = env.int("RETENTION_PREVIEW_DAYS", default=14)
if not 1 <= RETENTION_DEFAULT_MONTHS <= 240:
    raise ImproperlyConfigured("RETENTION_DEFAULT_MONTHS must be between 1 and 240.")
if RETENTION_PREVIEW_DAYS < 0:
    raise ImproperlyConfigured("RETENTION_PREVIEW_DAYS cannot be negative.")

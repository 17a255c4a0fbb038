"""Writes of the privacy app: the retention schedule, legal holds and retention runs."""

from privacy.services.retention import (
    ANONYMISED,
    case_anonymise,
    legal_hold_lift,
    legal_hold_place,
    retention_run,
    retention_schedule_set,
)

__all__ = [
    "ANONYMISED",
    "case_anonymise",
    "legal_hold_lift",
    "legal_hold_place",
    "retention_run",
    "retention_schedule_set",
]

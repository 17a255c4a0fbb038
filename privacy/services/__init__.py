"""Writes of the privacy app: the retention schedule, legal holds and retention runs."""

from privacy.services.erasure import (
    ERASED,
    constituent_erase,
    constituent_rectify,
    erasure_plan,
)
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
    "ERASED",
    "case_anonymise",
    "constituent_erase",
    "constituent_rectify",
    "erasure_plan",
    "legal_hold_lift",
    "legal_hold_place",
    "retention_run",
    "retention_schedule_set",
]

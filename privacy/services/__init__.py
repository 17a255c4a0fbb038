"""Writes of the privacy app: the retention schedule, legal holds and retention runs,
erasure and rectification, subject access requests."""

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
from privacy.services.subject_access import (
    statutory_due_on,
    subject_access_close,
    subject_access_confirm,
    subject_access_extend,
    subject_access_open,
    subject_access_pause,
    subject_access_resume,
)
from privacy.services.subject_access_archive import subject_access_archive

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
    "statutory_due_on",
    "subject_access_archive",
    "subject_access_close",
    "subject_access_confirm",
    "subject_access_extend",
    "subject_access_open",
    "subject_access_pause",
    "subject_access_resume",
]

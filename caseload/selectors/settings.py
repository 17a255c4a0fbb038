"""The council's caseload settings (reference prefix, default referral target)."""

from __future__ import annotations

from caseload.models import (
    CaseloadSettings,
)


def caseload_settings_get() -> CaseloadSettings:
    """The council's caseload settings row, made with defaults on first use."""
    return CaseloadSettings.objects.current()

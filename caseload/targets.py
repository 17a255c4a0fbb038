"""When an officer's reply counts as on time: the one home of the rule.

A reply is on time when it arrives (by the council's local date) on or before the referral's
ORIGINAL target, the date set when it was sent. An extension the councillor accepted moves
the date the reply is now expected by (`Referral.target_date`), never the date it is judged
against: members complain that extensions hide lateness, and the pilot's criteria measure
replies within the target the councillor set. Extensions are counted separately
(`is_extended`, caseload.selectors.figures).

The stored `Referral.target_met` is this rule's answer, written when the reply is recorded;
every figure (the case page, the comparison, the evaluation reports) reads that, and months
of referrals due are months of their original target (`DUE_DATE_COLUMN`).
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

# The column figures group "referrals due" by, and compare with today for "due and passed".
DUE_DATE_COLUMN = "original_target_date"


def reply_on_time(*, replied_at: datetime, original_target_date: date) -> bool:
    return timezone.localdate(replied_at) <= original_target_date

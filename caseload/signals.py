"""What caseload announces, for the apps built on it to react to (caseload imports none
of them). Receivers run in the sender's transaction, and an exception in one undoes it."""

from __future__ import annotations

from django.dispatch import Signal

# A referral was made, answered, or given a new target date. Keyword arguments: `case`,
# `referral`, and `event`: "referral", "reply_received" or "referral_extended".
# reminders applies the council's BF rules to it.
referral_event = Signal()

# An officer's request for more time was answered: accepted or refused by the councillor, or
# accepted automatically (the council's setting). Keyword arguments: `extension` (its
# `state`, `automatic` and `decided_by` say how), `referral` and `case`. correspondence
# tells the officer by email.
referral_extension_decided = Signal()

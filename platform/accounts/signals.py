"""Signals accounts sends about a user's sign-in security, for anything above it to react
to. The two an admin does to someone else (a second-factor reset, an unlock) are also
written to the audit log by the services themselves (audit sits below accounts).

`account_security_event` is sent inside the transaction of the change, with:

- `actor`: the User who did it (the user themselves, an admin, or None for the system);
- `user`: the User it was done to;
- `action`: one of SECURITY_ACTIONS;
- `detail`: a short text for people (never a secret, code or password).
"""

from __future__ import annotations

from django.dispatch import Signal

SECURITY_ACTIONS = (
    "two_factor_enabled",  # the user enrolled an authenticator app
    "two_factor_removed",  # the user removed their own (only when not required)
    "two_factor_reset",  # an admin removed a user's second factor
    "recovery_codes_replaced",
    "lockout_cleared",  # an admin unlocked an account locked by failed sign-ins
    "signed_out_everywhere",
    "password_changed",
    "password_reset",  # through an emailed reset link
    "two_factor_policy_changed",  # a council admin changed who must use a second factor
)

account_security_event = Signal()

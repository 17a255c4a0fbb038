"""accounts' writes, by subject: users (create, deactivate, reactivate), sessions (sign out
everywhere, API tokens), passwords (change, reset links), two_factor (enrol, verify, reset,
policy) and lockout (unlock)."""

from accounts.services.lockout import lockout_clear
from accounts.services.passwords import (
    password_change,
    password_reset_complete,
    password_reset_request,
)
from accounts.services.sessions import api_token_create, sign_out_everywhere
from accounts.services.sign_ins import sign_in_failed_record, sign_in_record, sign_out_record
from accounts.services.two_factor import (
    recovery_codes_replace,
    sign_in_policy_update,
    totp_confirm,
    totp_start,
    two_factor_remove_own,
    two_factor_reset,
    two_factor_verify,
)
from accounts.services.users import (
    login_event_record,
    user_create,
    user_deactivate,
    user_reactivate,
    user_update,
)

__all__ = [
    "api_token_create",
    "lockout_clear",
    "login_event_record",
    "password_change",
    "password_reset_complete",
    "password_reset_request",
    "recovery_codes_replace",
    "sign_in_failed_record",
    "sign_in_policy_update",
    "sign_in_record",
    "sign_out_everywhere",
    "sign_out_record",
    "totp_confirm",
    "totp_start",
    "two_factor_remove_own",
    "two_factor_reset",
    "two_factor_verify",
    "user_create",
    "user_deactivate",
    "user_reactivate",
    "user_update",
]

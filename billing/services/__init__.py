"""Writes for licences and billing. Import from here; the modules are an internal split."""

from billing.services.licences import (
    IllegalTransition,
    LicenceReadOnly,
    SeatCapReached,
    licence_assert_seat_available,
    licence_assert_writable,
    licence_expire_trials,
    licence_extend_trial,
    licence_lapse_overdue,
    licence_start_trial,
    licence_transition,
)
from billing.services.notices import (
    licence_transition_notify,
    trial_notice_send,
    trial_notices_create,
)
from billing.services.subscriptions import (
    ConversionResult,
    licence_billing_portal_url,
    licence_cancel,
    licence_change_seats,
    licence_convert,
    licence_delete_council_data,
)
from billing.services.webhooks import (
    webhook_event_mark_failed,
    webhook_event_process,
    webhook_event_record,
)

__all__ = [
    "ConversionResult",
    "IllegalTransition",
    "LicenceReadOnly",
    "SeatCapReached",
    "licence_assert_seat_available",
    "licence_assert_writable",
    "licence_billing_portal_url",
    "licence_cancel",
    "licence_change_seats",
    "licence_convert",
    "licence_delete_council_data",
    "licence_expire_trials",
    "licence_extend_trial",
    "licence_lapse_overdue",
    "licence_start_trial",
    "licence_transition",
    "licence_transition_notify",
    "trial_notice_send",
    "trial_notices_create",
    "webhook_event_mark_failed",
    "webhook_event_process",
    "webhook_event_record",
]

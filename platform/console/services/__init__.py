"""Writes for the central body's console. Import from here; the modules are an internal split."""

from console.services.council_import import ImportResult, council_import
from console.services.figures import (
    council_figures_compute,
    council_figures_record_failure,
    council_figures_refresh,
    figures_failure_text,
    figures_refresh_all,
)
from console.services.onboarding import (
    onboarding_job_create,
    onboarding_live_stage,
    onboarding_requeue,
    onboarding_resend_welcome,
    onboarding_run,
)
from console.services.provisioning import (
    ProvisionResult,
    council_details_validate,
    council_provision,
)
from console.services.trials import (
    TooManyRequests,
    allowed_domain_add,
    allowed_domain_remove,
    email_domain_allowed,
    trial_request_approve,
    trial_request_confirm,
    trial_request_create,
    trial_request_decline,
    trial_slug_for,
)

__all__ = [
    "ImportResult",
    "ProvisionResult",
    "TooManyRequests",
    "allowed_domain_add",
    "allowed_domain_remove",
    "council_details_validate",
    "council_figures_compute",
    "council_figures_record_failure",
    "council_figures_refresh",
    "council_import",
    "council_provision",
    "email_domain_allowed",
    "figures_failure_text",
    "figures_refresh_all",
    "onboarding_job_create",
    "onboarding_live_stage",
    "onboarding_requeue",
    "onboarding_resend_welcome",
    "onboarding_run",
    "trial_request_approve",
    "trial_request_confirm",
    "trial_request_create",
    "trial_request_decline",
    "trial_slug_for",
]

"""Writes for caseload. Import from here. Every write service:

- is keyword-only and atomic, and starts with `permissions.assert_council_writable()` (the
  licence hook) and a role/ownership check;
- raises core.errors subclasses (400/403/404/409/422), never leaves anything half-saved;
- records an Action for every change to a case (history is append-only).
"""

from caseload.services.attachments import attachment_add, attachment_sniff_type
from caseload.services.cases import (
    STATUS_TRANSITIONS,
    action_add,
    action_record_reminder,
    case_change_status,
    case_close,
    case_open,
    case_open_with_constituent,
    case_refresh_search_vector,
    case_reopen,
    case_set_sharing,
    case_update,
    cases_transfer,
)
from caseload.services.categories import categories_seed, category_create, category_update
from caseload.services.constituents import (
    PossibleDuplicate,
    constituent_create,
    constituent_update,
)
from caseload.services.delegations import (
    delegation_confirm,
    delegation_decline,
    delegation_propose,
    delegation_revoke,
)
from caseload.services.holidays import holiday_add, holiday_remove
from caseload.services.members import (
    member_add,
    member_deactivate,
    member_reactivate,
    member_set_data_protection_officer,
    member_update,
)
from caseload.services.officers import (
    OfficerImportResult,
    officer_create,
    officer_import_csv,
    officer_update,
)
from caseload.services.permissions import assert_council_writable
from caseload.services.referrals import (
    referral_create,
    referral_extension_decide,
    referral_extension_request,
    referral_record_reply,
)
from caseload.services.settings import caseload_settings_update
from caseload.services.submissions import AlreadySubmitted, submit_once
from caseload.services.wards import (
    PostcodeUploadResult,
    postcode_table_upload,
    ward_create,
    ward_update,
)

__all__ = [
    "STATUS_TRANSITIONS",
    "AlreadySubmitted",
    "OfficerImportResult",
    "PossibleDuplicate",
    "PostcodeUploadResult",
    "action_add",
    "action_record_reminder",
    "assert_council_writable",
    "attachment_add",
    "attachment_sniff_type",
    "case_change_status",
    "case_close",
    "case_open",
    "case_open_with_constituent",
    "case_refresh_search_vector",
    "case_reopen",
    "case_set_sharing",
    "case_update",
    "caseload_settings_update",
    "cases_transfer",
    "categories_seed",
    "category_create",
    "category_update",
    "constituent_create",
    "constituent_update",
    "delegation_confirm",
    "delegation_decline",
    "delegation_propose",
    "delegation_revoke",
    "holiday_add",
    "holiday_remove",
    "member_add",
    "member_deactivate",
    "member_reactivate",
    "member_set_data_protection_officer",
    "member_update",
    "officer_create",
    "officer_import_csv",
    "officer_update",
    "postcode_table_upload",
    "referral_create",
    "referral_extension_decide",
    "referral_extension_request",
    "referral_record_reply",
    "submit_once",
    "ward_create",
    "ward_update",
]

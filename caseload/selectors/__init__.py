"""Reads for caseload, always scoped to the reader. Import from here.

Visibility rules live in `caseload.selectors.access` (see its docstring).
"""

from caseload.selectors.access import (
    acting_for_ids,
    case_can_change,
    case_visible_q,
    constituent_visible_q,
    user_does_casework,
    user_keeps_directory,
)
from caseload.selectors.audit import (
    access_log_for_case,
    audit_entries_for_user,
    audit_export_record,
    audit_people,
    audit_search_allowed,
    audit_search_record,
    is_data_protection_officer,
)
from caseload.selectors.cases import (
    CaseFilters,
    action_list_for_case,
    attachment_get_for_user,
    attachment_list_for_case,
    case_base_queryset,
    case_get_by_reference_for_user,
    case_get_for_change,
    case_get_for_user,
    case_history_summary,
    case_list_for_user,
    case_open_count_for_owner,
    case_rows_for_user,
    case_search,
    referral_extension_get_for_case,
    referral_list_for_case,
)
from caseload.selectors.categories import category_get, category_list
from caseload.selectors.consent import (
    WITHHELD,
    shares_with_officers,
    withhold_personal_details,
)
from caseload.selectors.constituents import (
    DuplicateMatch,
    constituent_cases_for_user,
    constituent_find_duplicates,
    constituent_get_for_user,
    constituent_list_for_user,
    constituent_lookup,
)
from caseload.selectors.dashboard import (
    my_open_cases,
    recently_updated_cases,
    referrals_awaiting_reply_for_user,
    referrals_past_target_for_user,
)
from caseload.selectors.holidays import holiday_get, holiday_list, holidays_between
from caseload.selectors.officers import OfficerFilters, officer_get, officer_list, officer_suggest
from caseload.selectors.people import (
    delegation_get,
    delegation_get_for_user,
    delegation_list,
    delegation_pending_for_councillor,
    owner_choices_for_user,
    share_candidates_for_user,
    ward_colleagues_for_user,
)
from caseload.selectors.settings import caseload_settings_get
from caseload.selectors.wards import (
    postcode_upload_list,
    ward_for_postcode,
    ward_for_user,
    ward_get,
    ward_list,
)

__all__ = [
    "WITHHELD",
    "CaseFilters",
    "DuplicateMatch",
    "OfficerFilters",
    "access_log_for_case",
    "acting_for_ids",
    "action_list_for_case",
    "attachment_get_for_user",
    "attachment_list_for_case",
    "audit_entries_for_user",
    "audit_export_record",
    "audit_people",
    "audit_search_allowed",
    "audit_search_record",
    "case_base_queryset",
    "case_can_change",
    "case_get_by_reference_for_user",
    "case_get_for_change",
    "case_get_for_user",
    "case_history_summary",
    "case_list_for_user",
    "case_open_count_for_owner",
    "case_rows_for_user",
    "case_search",
    "case_visible_q",
    "caseload_settings_get",
    "category_get",
    "category_list",
    "constituent_cases_for_user",
    "constituent_find_duplicates",
    "constituent_get_for_user",
    "constituent_list_for_user",
    "constituent_lookup",
    "constituent_visible_q",
    "delegation_get",
    "delegation_get_for_user",
    "delegation_list",
    "delegation_pending_for_councillor",
    "holiday_get",
    "holiday_list",
    "holidays_between",
    "is_data_protection_officer",
    "my_open_cases",
    "officer_get",
    "officer_list",
    "officer_suggest",
    "owner_choices_for_user",
    "postcode_upload_list",
    "recently_updated_cases",
    "referral_extension_get_for_case",
    "referral_list_for_case",
    "referrals_awaiting_reply_for_user",
    "referrals_past_target_for_user",
    "share_candidates_for_user",
    "shares_with_officers",
    "user_does_casework",
    "user_keeps_directory",
    "ward_colleagues_for_user",
    "ward_for_postcode",
    "ward_for_user",
    "ward_get",
    "ward_list",
    "withhold_personal_details",
]

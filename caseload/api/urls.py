"""Caseload API routes, mounted under /api/v1/ on a council's host."""

from django.urls import path

from caseload.api import (
    audit,
    cases,
    categories,
    constituents,
    delegations,
    extensions,
    holidays,
    members,
    officers,
    settings,
    wards,
)

app_name = "caseload-api"

urlpatterns = [
    path("cases/", cases.CaseListCreateApi.as_view(), name="case-list"),
    path("cases/<int:case_id>/", cases.CaseDetailApi.as_view(), name="case-detail"),
    path("cases/<int:case_id>/close/", cases.CaseCloseApi.as_view(), name="case-close"),
    path("cases/<int:case_id>/reopen/", cases.CaseReopenApi.as_view(), name="case-reopen"),
    path("cases/<int:case_id>/status/", cases.CaseStatusApi.as_view(), name="case-status"),
    path("cases/<int:case_id>/sharing/", cases.CaseSharingApi.as_view(), name="case-sharing"),
    path("cases/<int:case_id>/actions/", cases.CaseActionsApi.as_view(), name="case-actions"),
    path(
        "cases/<int:case_id>/referrals/",
        cases.CaseReferralsApi.as_view(),
        name="case-referrals",
    ),
    path(
        "cases/<int:case_id>/referrals/<int:referral_id>/reply/",
        cases.ReferralReplyApi.as_view(),
        name="referral-reply",
    ),
    path(
        "cases/<int:case_id>/more-time/",
        extensions.CaseExtensionsApi.as_view(),
        name="case-extensions",
    ),
    path(
        "cases/<int:case_id>/more-time/<int:extension_id>/",
        extensions.ExtensionDecideApi.as_view(),
        name="extension-decide",
    ),
    path(
        "cases/<int:case_id>/suggested-officers/",
        cases.CaseSuggestOfficersApi.as_view(),
        name="case-suggest-officers",
    ),
    path(
        "cases/<int:case_id>/attachments/",
        cases.CaseAttachmentsApi.as_view(),
        name="case-attachments",
    ),
    path(
        "cases/<int:case_id>/access-log/",
        cases.CaseAccessLogApi.as_view(),
        name="case-access-log",
    ),
    path(
        "attachments/<int:attachment_id>/download/",
        cases.AttachmentDownloadApi.as_view(),
        name="attachment-download",
    ),
    path("surgery/enquiries/", cases.SurgeryEnquiryApi.as_view(), name="surgery-enquiry"),
    path(
        "constituents/",
        constituents.ConstituentListCreateApi.as_view(),
        name="constituent-list",
    ),
    path(
        "constituents/duplicates/",
        constituents.ConstituentDuplicatesApi.as_view(),
        name="constituent-duplicates",
    ),
    path(
        "constituents/<int:constituent_id>/",
        constituents.ConstituentDetailApi.as_view(),
        name="constituent-detail",
    ),
    path(
        "constituents/<int:constituent_id>/cases/",
        constituents.ConstituentCasesApi.as_view(),
        name="constituent-cases",
    ),
    path("officers/", officers.OfficerListCreateApi.as_view(), name="officer-list"),
    path("officers/suggest/", officers.OfficerSuggestApi.as_view(), name="officer-suggest"),
    path("officers/import/", officers.OfficerImportApi.as_view(), name="officer-import"),
    path("officers/<int:officer_id>/", officers.OfficerDetailApi.as_view(), name="officer-detail"),
    path("categories/", categories.CategoryListCreateApi.as_view(), name="category-list"),
    path(
        "categories/<int:category_id>/",
        categories.CategoryDetailApi.as_view(),
        name="category-detail",
    ),
    path("wards/", wards.WardListCreateApi.as_view(), name="ward-list"),
    path("wards/postcodes/", wards.PostcodeTableUploadApi.as_view(), name="ward-postcodes"),
    path("wards/lookup/", wards.PostcodeLookupApi.as_view(), name="ward-lookup"),
    path("wards/<int:ward_id>/", wards.WardDetailApi.as_view(), name="ward-detail"),
    path("holidays/", holidays.HolidayListCreateApi.as_view(), name="holiday-list"),
    path("holidays/<int:holiday_id>/", holidays.HolidayDetailApi.as_view(), name="holiday-detail"),
    path("delegations/", delegations.DelegationListCreateApi.as_view(), name="delegation-list"),
    path(
        "delegations/<int:delegation_id>/",
        delegations.DelegationDetailApi.as_view(),
        name="delegation-detail",
    ),
    path(
        "delegations/<int:delegation_id>/confirm/",
        delegations.DelegationConfirmApi.as_view(),
        name="delegation-confirm",
    ),
    path(
        "delegations/<int:delegation_id>/decline/",
        delegations.DelegationDeclineApi.as_view(),
        name="delegation-decline",
    ),
    path(
        "users/<int:user_id>/transfer-cases/",
        delegations.CaseTransferApi.as_view(),
        name="case-transfer",
    ),
    path("audit/", audit.AuditListApi.as_view(), name="audit-list"),
    path("audit/export/", audit.AuditExportApi.as_view(), name="audit-export"),
    path(
        "users/<int:user_id>/data-protection-officer/",
        audit.DataProtectionOfficerApi.as_view(),
        name="data-protection-officer",
    ),
    path("caseload-settings/", settings.CaseloadSettingsApi.as_view(), name="caseload-settings"),
    path("users/<int:user_id>/", members.MemberDetailApi.as_view(), name="api-member-detail"),
    path(
        "users/<int:user_id>/deactivate/",
        members.MemberDeactivateApi.as_view(),
        name="api-member-deactivate",
    ),
    path(
        "users/<int:user_id>/reactivate/",
        members.MemberReactivateApi.as_view(),
        name="api-member-reactivate",
    ),
]

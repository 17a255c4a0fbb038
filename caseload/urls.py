"""The caseload web pages on a council's host (included at the root of config.urls_tenant)."""

from django.urls import path

from caseload.views import (
    admin,
    admin_people,
    admin_sign_in,
    audit,
    cases,
    constituents,
    delegations,
    extensions,
    officers,
    surgery,
)

app_name = "caseload"

urlpatterns = [
    # Cases
    path("cases/", cases.case_list, name="case-list"),
    path("cases/new/", cases.case_create, name="case-create"),
    path("cases/<int:case_id>/", cases.case_detail, name="case-detail"),
    path("cases/<int:case_id>/edit/", cases.case_edit, name="case-edit"),
    path("cases/<int:case_id>/actions/new/", cases.case_action_add, name="case-action-add"),
    path("cases/<int:case_id>/refer/", cases.case_refer, name="case-refer"),
    path(
        "cases/<int:case_id>/referrals/<int:referral_id>/reply/",
        cases.referral_reply,
        name="referral-reply",
    ),
    path(
        "cases/<int:case_id>/more-time/<int:extension_id>/",
        extensions.referral_extension_decide,
        name="referral-extension-decide",
    ),
    path("cases/<int:case_id>/close/", cases.case_close, name="case-close"),
    path("cases/<int:case_id>/reopen/", cases.case_reopen, name="case-reopen"),
    path("cases/<int:case_id>/sharing/", cases.case_sharing, name="case-sharing"),
    path(
        "cases/<int:case_id>/attachments/",
        cases.case_attachment_add,
        name="case-attachment-add",
    ),
    path(
        "cases/<int:case_id>/attachments/<int:attachment_id>/",
        cases.attachment_download,
        name="attachment-download",
    ),
    path("referrals/target-date/", cases.referral_target_preview, name="referral-target"),
    # Constituents
    path("constituents/", constituents.constituent_list, name="constituent-list"),
    path("constituents/new/", constituents.constituent_create, name="constituent-create"),
    path(
        "constituents/<int:constituent_id>/",
        constituents.constituent_detail,
        name="constituent-detail",
    ),
    path(
        "constituents/<int:constituent_id>/edit/",
        constituents.constituent_edit,
        name="constituent-edit",
    ),
    # Officer directory
    path("officers/", officers.officer_list, name="officer-list"),
    path("officers/new/", officers.officer_create, name="officer-create"),
    path("officers/import/", officers.officer_import, name="officer-import"),
    path("officers/<int:officer_id>/", officers.officer_detail, name="officer-detail"),
    path("officers/<int:officer_id>/edit/", officers.officer_edit, name="officer-edit"),
    # Surgery mode
    path("surgery/", surgery.surgery, name="surgery"),
    path("surgery/lookup/", surgery.surgery_lookup, name="surgery-lookup"),
    path("surgery/enquiry/", surgery.surgery_case, name="surgery-case"),
    path("surgery/end/", surgery.surgery_end, name="surgery-end"),
    # The audit log: the council's admins and its data protection officer.
    path("audit/", audit.audit_log, name="audit-log"),
    path("audit/export/", audit.audit_export, name="audit-export"),
    # A councillor's delegations: confirm or decline proposals, grant, end
    path("delegations/", delegations.delegations, name="delegations"),
    path(
        "delegations/<int:delegation_id>/confirm/",
        delegations.delegation_confirm,
        name="delegation-confirm",
    ),
    path(
        "delegations/<int:delegation_id>/decline/",
        delegations.delegation_decline,
        name="delegation-decline",
    ),
    path(
        "delegations/<int:delegation_id>/revoke/",
        delegations.delegation_revoke,
        name="delegation-revoke",
    ),
    # Council administration (not Django's admin)
    path("admin-area/", admin.admin_home, name="admin-home"),
    path("admin-area/users/", admin.admin_users, name="admin-users"),
    path("admin-area/users/new/", admin.admin_user_create, name="admin-user-create"),
    path("admin-area/users/<int:user_id>/", admin_people.admin_user_edit, name="admin-user-edit"),
    path(
        "admin-area/users/<int:user_id>/access/",
        admin.admin_user_access,
        name="admin-user-access",
    ),
    path(
        "admin-area/users/<int:user_id>/transfer/",
        admin.admin_user_transfer,
        name="admin-user-transfer",
    ),
    path(
        "admin-area/users/<int:user_id>/data-protection-officer/",
        audit.admin_user_dpo,
        name="admin-user-dpo",
    ),
    path("admin-area/delegations/", admin.admin_delegations, name="admin-delegations"),
    path(
        "admin-area/delegations/<int:delegation_id>/revoke/",
        admin.admin_delegation_revoke,
        name="admin-delegation-revoke",
    ),
    path("admin-area/categories/", admin.admin_categories, name="admin-categories"),
    path(
        "admin-area/categories/<int:category_id>/",
        admin.admin_category_edit,
        name="admin-category-edit",
    ),
    path(
        "admin-area/categories/<int:category_id>/toggle/",
        admin.admin_category_toggle,
        name="admin-category-toggle",
    ),
    path("admin-area/wards/", admin.admin_wards, name="admin-wards"),
    path("admin-area/holidays/", admin.admin_holidays, name="admin-holidays"),
    path(
        "admin-area/holidays/<int:holiday_id>/remove/",
        admin.admin_holiday_remove,
        name="admin-holiday-remove",
    ),
    path("admin-area/postcodes/", admin.admin_postcodes, name="admin-postcodes"),
    path("admin-area/settings/", admin.admin_settings, name="admin-settings"),
    # Sign-in security: open even in a read-only council (billing.middleware).
    path("admin-area/sign-in/", admin_sign_in.admin_sign_in_policy, name="admin-sign-in"),
    path(
        "admin-area/sign-in/users/<int:user_id>/",
        admin_sign_in.admin_user_sign_in,
        name="admin-user-sign-in",
    ),
]

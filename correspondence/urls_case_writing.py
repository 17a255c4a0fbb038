"""The correspondence pages signed-in councillors and staff use on a council's host
(included at the root of config.urls_tenant, beside caseload's case pages)."""

from django.urls import path

from correspondence import (
    views_batches,
    views_case_writing,
    views_letterhead,
    views_templates,
    views_triage,
)

app_name = "correspondence"

urlpatterns = [
    # The council's letterhead: details, logo, and a sample letter (PDF, .docx).
    path("letterhead/", views_letterhead.letterhead_page, name="letterhead"),
    path("letterhead/logo/", views_letterhead.letterhead_logo, name="letterhead-logo"),
    path(
        "letterhead/sample.<str:fmt>",
        views_letterhead.letterhead_sample,
        name="letterhead-sample",
    ),
    path("cases/<int:case_id>/write/", views_case_writing.case_write, name="case-write"),
    # Members' Services' queue of inbound mail that matched no case.
    path("triage/", views_triage.triage_list, name="triage-list"),
    path("triage/<int:inbound_id>/", views_triage.triage_detail, name="triage-detail"),
    # Batch replies: one template to the constituents of many cases.
    path("batches/", views_batches.batch_list, name="batch-list"),
    path("batches/new/", views_batches.batch_new, name="batch-new"),
    path("batches/<int:batch_id>/", views_batches.batch_detail, name="batch-detail"),
    path("batches/<int:batch_id>/letters.pdf", views_batches.batch_print, name="batch-print"),
    # The council's templates: copy a shared one, edit with a preview and the merge fields.
    path("templates/", views_templates.template_list, name="template-list"),
    path("templates/<slug:key>/", views_templates.template_detail, name="template-detail"),
    path("templates/<slug:key>/copy/", views_templates.template_copy, name="template-copy"),
    path(
        "templates/<slug:key>/preview/",
        views_templates.template_preview,
        name="template-preview",
    ),
]

"""Correspondence API routes, mounted under /api/v1/ on a council's host."""

from django.urls import path

from correspondence.api import batches, templates, triage

app_name = "correspondence-api"

urlpatterns = [
    path("templates/", templates.TemplateListCreateApi.as_view(), name="template-list"),
    path("templates/<slug:key>/", templates.TemplateDetailApi.as_view(), name="template-detail"),
    path("templates/<slug:key>/copy/", templates.TemplateCopyApi.as_view(), name="template-copy"),
    path(
        "templates/<slug:key>/preview/",
        templates.TemplatePreviewApi.as_view(),
        name="template-preview",
    ),
    path("templates/<slug:key>/send/", templates.TemplateSendApi.as_view(), name="template-send"),
    path(
        "correspondence/merge-fields/",
        templates.MergeFieldsApi.as_view(),
        name="merge-fields",
    ),
    path("correspondence/letterhead/", templates.LetterheadApi.as_view(), name="letterhead"),
    path("batches/", batches.BatchListCreateApi.as_view(), name="batch-list"),
    path("batches/<int:batch_id>/", batches.BatchDetailApi.as_view(), name="batch-detail"),
    path("inbound/triage/", triage.TriageListApi.as_view(), name="triage-list"),
    path(
        "inbound/triage/<int:inbound_id>/", triage.TriageDetailApi.as_view(), name="triage-detail"
    ),
    path(
        "inbound/triage/<int:inbound_id>/assign/",
        triage.TriageAssignApi.as_view(),
        name="triage-assign",
    ),
    path(
        "inbound/triage/<int:inbound_id>/open-case/",
        triage.TriageOpenCaseApi.as_view(),
        name="triage-open-case",
    ),
    path(
        "inbound/triage/<int:inbound_id>/dismiss/",
        triage.TriageDismissApi.as_view(),
        name="triage-dismiss",
    ),
]

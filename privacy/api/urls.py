"""Retention and subject access API routes, mounted under /api/v1/ on a council's host."""

from django.urls import path

from privacy.api import departure, retention, subject_access

app_name = "privacy-api"

urlpatterns = [
    path(
        "retention/schedule/",
        retention.RetentionScheduleApi.as_view(),
        name="retention-schedule",
    ),
    path("retention/preview/", retention.RetentionPreviewApi.as_view(), name="retention-preview"),
    path("retention/holds/", retention.LegalHoldListCreateApi.as_view(), name="retention-holds"),
    path(
        "retention/holds/<int:hold_id>/lift/",
        retention.LegalHoldLiftApi.as_view(),
        name="retention-hold-lift",
    ),
    path("retention/runs/", retention.RetentionRunListApi.as_view(), name="retention-runs"),
    path("departures/ward/", departure.WardDepartureApi.as_view(), name="departure-ward"),
    path("departures/<int:councillor_id>/", departure.DepartureApi.as_view(), name="departure"),
]

urlpatterns += [
    path(
        "subject-access/",
        subject_access.SubjectAccessListCreateApi.as_view(),
        name="subject-access",
    ),
    path(
        "subject-access/<int:request_id>/",
        subject_access.SubjectAccessDetailApi.as_view(),
        name="subject-access-detail",
    ),
    path(
        "subject-access/<int:request_id>/matches/",
        subject_access.SubjectAccessMatchesApi.as_view(),
        name="subject-access-matches",
    ),
    path(
        "subject-access/<int:request_id>/confirm/",
        subject_access.SubjectAccessConfirmApi.as_view(),
        name="subject-access-confirm",
    ),
    path(
        "subject-access/<int:request_id>/extend/",
        subject_access.SubjectAccessExtendApi.as_view(),
        name="subject-access-extend",
    ),
    path(
        "subject-access/<int:request_id>/pause/",
        subject_access.SubjectAccessPauseApi.as_view(),
        name="subject-access-pause",
    ),
    path(
        "subject-access/<int:request_id>/resume/",
        subject_access.SubjectAccessResumeApi.as_view(),
        name="subject-access-resume",
    ),
    path(
        "subject-access/<int:request_id>/close/",
        subject_access.SubjectAccessCloseApi.as_view(),
        name="subject-access-close",
    ),
    path(
        "subject-access/<int:request_id>/archive/",
        subject_access.SubjectAccessArchiveApi.as_view(),
        name="subject-access-archive",
    ),
]

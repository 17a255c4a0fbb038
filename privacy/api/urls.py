"""Retention API routes, mounted under /api/v1/ on a council's host."""

from django.urls import path

from privacy.api import departure, retention

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

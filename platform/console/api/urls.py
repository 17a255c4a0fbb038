"""Included from config.urls_public under api/v1/platform/ (central body staff only)."""

from django.urls import path

from console.api import licences, templates
from console.api.comparison import ComparisonApi
from console.api.councils import CouncilListApi, OnboardingJobApi

urlpatterns = [
    path("councils/", CouncilListApi.as_view(), name="api-platform-councils"),
    path("councils/jobs/<int:pk>/", OnboardingJobApi.as_view(), name="api-platform-onboarding-job"),
    path("comparison/", ComparisonApi.as_view(), name="api-platform-comparison"),
    # Licences: billing's services, for the central body.
    path("licences/", licences.PlatformLicenceListApi.as_view(), name="api-platform-licences"),
    path(
        "councils/<slug:slug>/licence/",
        licences.PlatformLicenceDetailApi.as_view(),
        name="api-platform-licence",
    ),
    path(
        "councils/<slug:slug>/licence/extend-trial/",
        licences.PlatformExtendTrialApi.as_view(),
        name="api-platform-licence-extend",
    ),
    path(
        "councils/<slug:slug>/licence/convert/",
        licences.PlatformConvertApi.as_view(),
        name="api-platform-licence-convert",
    ),
    path(
        "councils/<slug:slug>/licence/cancel/",
        licences.PlatformCancelApi.as_view(),
        name="api-platform-licence-cancel",
    ),
    path(
        "councils/<slug:slug>/licence/delete-data/",
        licences.PlatformDeleteDataApi.as_view(),
        name="api-platform-licence-delete-data",
    ),
    # The standard correspondence templates every council gets: correspondence's services.
    path(
        "templates/",
        templates.SharedTemplateListCreateApi.as_view(),
        name="api-platform-templates",
    ),
    path(
        "templates/<slug:key>/",
        templates.SharedTemplateDetailApi.as_view(),
        name="api-platform-template",
    ),
]

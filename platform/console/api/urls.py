"""Included from config.urls_public under api/v1/platform/ (central body staff only)."""

from django.urls import path

from console.api.comparison import ComparisonApi
from console.api.councils import CouncilListApi, OnboardingJobApi

urlpatterns = [
    path("councils/", CouncilListApi.as_view(), name="api-platform-councils"),
    path("councils/jobs/<int:pk>/", OnboardingJobApi.as_view(), name="api-platform-onboarding-job"),
    path("comparison/", ComparisonApi.as_view(), name="api-platform-comparison"),
]

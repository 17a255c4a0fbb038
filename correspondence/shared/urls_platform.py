"""Included from config.urls_public under api/v1/platform/."""

from django.urls import path

from correspondence.shared import api

urlpatterns = [
    path("templates/", api.SharedTemplateListCreateApi.as_view(), name="api-platform-templates"),
    path(
        "templates/<slug:key>/",
        api.SharedTemplateDetailApi.as_view(),
        name="api-platform-template",
    ),
]

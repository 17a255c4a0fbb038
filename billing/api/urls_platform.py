"""Included from config.urls_public under api/v1/platform/."""

from django.urls import path

from billing.api import central as views

urlpatterns = [
    path("licences/", views.PlatformLicenceListApi.as_view(), name="api-platform-licences"),
    path(
        "councils/<slug:slug>/licence/",
        views.PlatformLicenceDetailApi.as_view(),
        name="api-platform-licence",
    ),
    path(
        "councils/<slug:slug>/licence/extend-trial/",
        views.PlatformExtendTrialApi.as_view(),
        name="api-platform-licence-extend",
    ),
    path(
        "councils/<slug:slug>/licence/convert/",
        views.PlatformConvertApi.as_view(),
        name="api-platform-licence-convert",
    ),
    path(
        "councils/<slug:slug>/licence/cancel/",
        views.PlatformCancelApi.as_view(),
        name="api-platform-licence-cancel",
    ),
    path(
        "councils/<slug:slug>/licence/delete-data/",
        views.PlatformDeleteDataApi.as_view(),
        name="api-platform-licence-delete-data",
    ),
]

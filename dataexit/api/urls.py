from django.urls import path

from dataexit.api import views

urlpatterns = [
    path("data-exits/", views.DataExitListCreateApi.as_view(), name="data-exit-list"),
    path(
        "data-exits/<int:data_exit_id>/",
        views.DataExitDetailApi.as_view(),
        name="data-exit-detail",
    ),
    path(
        "data-exits/<int:data_exit_id>/approve/",
        views.DataExitApproveApi.as_view(),
        name="data-exit-approve",
    ),
    path(
        "data-exits/<int:data_exit_id>/refuse/",
        views.DataExitRefuseApi.as_view(),
        name="data-exit-refuse",
    ),
    path(
        "data-exits/<int:data_exit_id>/cancel/",
        views.DataExitCancelApi.as_view(),
        name="data-exit-cancel",
    ),
    path(
        "data-exits/<int:data_exit_id>/download/",
        views.DataExitDownloadApi.as_view(),
        name="data-exit-download",
    ),
]

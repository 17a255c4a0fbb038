"""The data exit's pages on a council's host (included from config.urls_tenant)."""

from django.urls import path

from dataexit import views

app_name = "dataexit"

urlpatterns = [
    path("data-exit/", views.data_exit_page, name="page"),
    path("data-exit/<int:data_exit_id>/progress/", views.data_exit_progress, name="progress"),
    path("data-exit/<int:data_exit_id>/approve/", views.data_exit_approve, name="approve"),
    path("data-exit/<int:data_exit_id>/refuse/", views.data_exit_refuse, name="refuse"),
    path("data-exit/<int:data_exit_id>/cancel/", views.data_exit_cancel, name="cancel"),
    path("data-exit/<int:data_exit_id>/download/", views.data_exit_download, name="download"),
]

"""Included from config.urls_public at licences/ (the central body's console)."""

from django.urls import path

from billing import views_console as views

app_name = "billing_console"

urlpatterns = [
    path("", views.licence_list_view, name="list"),
    path("<slug:slug>/", views.licence_detail_view, name="detail"),
    path("<slug:slug>/extend/", views.licence_extend_view, name="extend"),
    path("<slug:slug>/convert/", views.licence_convert_view, name="convert"),
    path("<slug:slug>/cancel/", views.licence_cancel_view, name="cancel"),
    path("<slug:slug>/delete-data/", views.licence_delete_data_view, name="delete-data"),
]

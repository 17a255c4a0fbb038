"""Reminders' web page on a council's host: the dashboard at / (included at the root of
config.urls_tenant)."""

from django.urls import path

from reminders import views

app_name = "reminders"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]

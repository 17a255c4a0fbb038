"""Included from config.urls_tenant at survey/ (council hosts only)."""

from django.urls import path

from feedback import views

app_name = "feedback"

urlpatterns = [
    path("", views.survey_view, name="survey"),
    path("results/", views.results_view, name="results"),
]

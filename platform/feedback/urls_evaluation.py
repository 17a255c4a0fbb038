"""Included from config.urls_tenant at evaluation/ (council hosts only)."""

from django.urls import path

from feedback import views_evaluation

app_name = "evaluation"

urlpatterns = [
    path("", views_evaluation.evaluation_page, name="page"),
]

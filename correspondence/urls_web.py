"""The correspondence pages signed-in councillors and staff use on a council's host
(included at the root of config.urls_tenant, beside caseload's case pages)."""

from django.urls import path

from correspondence import views_web

app_name = "correspondence"

urlpatterns = [
    path("cases/<int:case_id>/write/", views_web.case_write, name="case-write"),
]

"""The correspondence pages signed-in councillors and staff use on a council's host
(included at the root of config.urls_tenant, beside caseload's case pages)."""

from django.urls import path

from correspondence import views_case_writing

app_name = "correspondence"

urlpatterns = [
    path("cases/<int:case_id>/write/", views_case_writing.case_write, name="case-write"),
]

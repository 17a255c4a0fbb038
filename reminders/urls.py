"""Reminders' web pages on a council's host (included at the root of config.urls_tenant):
the dashboard at /, the forms that change a case's BFs (listed on the case page), and the
administrator's BF rules."""

from django.urls import path

from reminders import views, views_bfs, views_rules

app_name = "reminders"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cases/<int:case_id>/bfs/new/", views_bfs.bf_add, name="bf-add"),
    path("bfs/<int:bf_id>/snooze/", views_bfs.bf_snooze, name="bf-snooze"),
    path("bfs/<int:bf_id>/reassign/", views_bfs.bf_reassign, name="bf-reassign"),
    path("bfs/<int:bf_id>/complete/", views_bfs.bf_complete, name="bf-complete"),
    path("admin-area/bf-rules/", views_rules.bf_rules, name="bf-rules"),
    path("admin-area/bf-rules/<int:rule_id>/", views_rules.bf_rule_edit, name="bf-rule-edit"),
    path(
        "admin-area/bf-rules/<int:rule_id>/toggle/",
        views_rules.bf_rule_toggle,
        name="bf-rule-toggle",
    ),
]

"""Reminders API routes, mounted under /api/v1/ on a council's host."""

from django.urls import path

from reminders.api import views

app_name = "reminders-api"

urlpatterns = [
    # The home page's items (the web page is reminders.views.dashboard).
    path("dashboard/", views.DashboardApi.as_view(), name="dashboard"),
    path("reminders/", views.ReminderListCreateApi.as_view(), name="reminder-list"),
    path("reminders/rules/", views.ReminderRuleListCreateApi.as_view(), name="rule-list"),
    path(
        "reminders/rules/<int:rule_id>/",
        views.ReminderRuleDetailApi.as_view(),
        name="rule-detail",
    ),
    path("reminders/<int:bf_id>/", views.ReminderDetailApi.as_view(), name="reminder-detail"),
    path(
        "reminders/<int:bf_id>/snooze/",
        views.ReminderSnoozeApi.as_view(),
        name="reminder-snooze",
    ),
    path(
        "reminders/<int:bf_id>/reassign/",
        views.ReminderReassignApi.as_view(),
        name="reminder-reassign",
    ),
    path(
        "reminders/<int:bf_id>/complete/",
        views.ReminderCompleteApi.as_view(),
        name="reminder-complete",
    ),
]

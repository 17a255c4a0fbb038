"""The retention page, under /admin-area/retention/ beside the other admin pages."""

from django.urls import path

from privacy import views, views_departure

app_name = "privacy"

urlpatterns = [
    path("", views.retention_page, name="retention"),
    path("schedule/", views.retention_schedule_save, name="retention-schedule"),
    path("holds/", views.retention_hold_place, name="retention-hold"),
    path("holds/<int:hold_id>/lift/", views.retention_hold_lift, name="retention-hold-lift"),
    path("departures/", views_departure.departure_list, name="departures"),
    path("departures/<int:councillor_id>/", views_departure.departure_detail, name="departure"),
]

"""Public pages on a council's host (no sign-in)."""

from django.urls import path

from correspondence import views_officer_reply as views

app_name = "correspondence_public"

urlpatterns = [
    path("officer-reply/thanks/", views.officer_reply_thanks, name="officer-reply-thanks"),
    path("officer-reply/<str:token>/", views.officer_reply, name="officer-reply"),
]

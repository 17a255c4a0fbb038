"""Billing on a council's host (included from config.urls_tenant at billing/): the
council admins' billing pages. Its API is billing.api.urls_council."""

from django.urls import path

from billing import views_council

app_name = "billing_council"

urlpatterns = [
    path("", views_council.billing_home, name="home"),
    path("seats/", views_council.billing_seats, name="seats"),
    path("portal/", views_council.billing_portal, name="portal"),
]

"""Included from config.urls_tenant at billing/ (council hosts)."""

from django.urls import path

from billing import views_council

app_name = "billing_web"

urlpatterns = [
    path("", views_council.billing_home, name="home"),
    path("seats/", views_council.billing_seats, name="seats"),
    path("portal/", views_council.billing_portal, name="portal"),
]

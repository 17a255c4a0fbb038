"""Included from config.urls_public at billing/ (platform host only)."""

from django.urls import path

from billing.api.webhooks import stripe_webhook

app_name = "billing"

urlpatterns = [
    path("stripe/webhook/", stripe_webhook, name="stripe-webhook"),
]

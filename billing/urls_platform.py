"""Billing on the platform host (included from config.urls_public at billing/): Stripe's
webhook. The central body's licence pages and API are the console's."""

from django.urls import path

from billing.api.webhooks import stripe_webhook

app_name = "billing_platform"

urlpatterns = [
    path("stripe/webhook/", stripe_webhook, name="stripe-webhook"),
]

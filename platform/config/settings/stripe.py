"""Stripe keys. The library is configured once, in billing's app config."""

from config.settings.env import env

STRIPE_API_KEY = env("STRIPE_API_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
# Points the stripe library at a local server (localstripe) in development and tests.
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")

"""Stripe keys and billing terms. The library is configured in one place: billing.stripe_client."""

from config.settings.env import env

STRIPE_API_KEY = env("STRIPE_API_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
# Points the stripe library at a local server (localstripe) in development and tests.
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")
# A webhook signed longer ago than this is refused as a replay (Stripe's default).
STRIPE_WEBHOOK_TOLERANCE = env.int("STRIPE_WEBHOOK_TOLERANCE", default=300)

# Licences and billing (billing/). Councils pay per councillor seat per year.
BILLING_SEAT_PLAN_ID = env("BILLING_SEAT_PLAN_ID", default="caseload-seat-annual")
BILLING_SEAT_PRICE_PENCE = env.int("BILLING_SEAT_PRICE_PENCE", default=12000)
BILLING_CURRENCY = env("BILLING_CURRENCY", default="gbp")
BILLING_INVOICE_DAYS_UNTIL_DUE = env.int("BILLING_INVOICE_DAYS_UNTIL_DUE", default=30)
# Past due: everything still works for this long, with a banner; then read-only.
BILLING_PAST_DUE_GRACE_DAYS = env.int("BILLING_PAST_DUE_GRACE_DAYS", default=14)
# Cancelled: data kept (read-only, exportable) this long before the central body may delete it.
BILLING_RETENTION_DAYS = env.int("BILLING_RETENTION_DAYS", default=90)

"""localstripe as the embedded Stripe of `make run` (and the base of the billing tests').

    python -m localdev.localstripe_app --port 12345

It is the stock localstripe application (customers, products, plans, subscriptions,
invoices, events and webhooks are all localstripe's own code) with three additions, each
for something localstripe lacks and the platform relies on:

1. `collection_method` / `days_until_due` on subscriptions. localstripe refuses both
   ("Unexpected ...") and always tries to charge the first invoice, which fails for a
   customer with no card. Councils pay by invoice, so for `send_invoice` we do what Stripe
   documents: the subscription is `active` at once and its first invoice is finalized
   (`open`) with `due_date = now + days_until_due`, not charged.
2. Idempotency keys. localstripe ignores them; Stripe replays the first response for a
   repeated key, and so do we.
3. `POST /v1/billing_portal/sessions` and `POST /v1/checkout/sessions` do not exist in
   localstripe. They answer with RECORDED responses: the object shapes from Stripe's API
   reference (https://docs.stripe.com/api/customer_portal/sessions/object and
   https://docs.stripe.com/api/checkout/sessions/object, subscription mode; a subset of
   the checkout fields), filled from the request. The customer must exist, as in Stripe.
   Their URLs point at stripe.com, which a machine without network cannot open: locally,
   convert by invoice.

Nothing is written to /tmp/localstripe.pickle (stock localstripe does that on every write,
which would mix up parallel runs). Only loopback is served.
"""

from __future__ import annotations

import argparse
import secrets
import time
from typing import Any

from aiohttp import web
from localstripe import resources, server
from localstripe.errors import UserError
from localstripe.resources import Customer, Invoice, InvoiceItem, Subscription

resources.Store.dump_to_disk = lambda self: None
resources.Store.try_load_from_disk = lambda self: None

# -- 1. send_invoice subscriptions ------------------------------------------------------
_pending_collection: dict[str, Any] = {}
_original_init = Subscription.__init__
_original_create_invoice = Subscription._create_invoice


def _subscription_init(
    self: Subscription,
    *args: Any,
    collection_method: str = "charge_automatically",
    days_until_due: Any = None,
    **kwargs: Any,
) -> None:
    days = resources.try_convert_to_int(days_until_due)
    if collection_method not in ("charge_automatically", "send_invoice"):
        raise UserError(400, "Invalid collection_method")
    if collection_method == "send_invoice" and not (isinstance(days, int) and days > 0):
        raise UserError(400, "days_until_due is required when collection_method=send_invoice")
    _pending_collection.update(method=collection_method, days=days)
    try:
        _original_init(self, *args, **kwargs)
    finally:
        _pending_collection.clear()
    if not hasattr(self, "collection_method"):
        self.collection_method = collection_method
        self.days_until_due = days


def _subscription_create_invoice(self: Subscription) -> None:
    if not hasattr(self, "collection_method"):
        self.collection_method = _pending_collection.get("method", "charge_automatically")
        self.days_until_due = _pending_collection.get("days")
    if self.collection_method != "send_invoice":
        _original_create_invoice(self)
        return
    pending = [
        ii
        for ii in InvoiceItem._api_list_all(None, customer=self.customer, limit=99)._list
        if ii.invoice is None
    ]
    invoice = Invoice(
        customer=self.customer,
        subscription=self.id,
        items=[*pending, *self.items._list],
        date=self.current_period_start,
    )
    invoice.collection_method = "send_invoice"
    invoice.due_date = int(time.time()) + self.days_until_due * 86400
    invoice._finalize()
    self.status = "active"


Subscription.__init__ = _subscription_init
Subscription._create_invoice = _subscription_create_invoice

# -- 2. idempotency keys -------------------------------------------------------------------
replies: dict[str, tuple[int, bytes]] = {}


@web.middleware
async def idempotency_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    key = request.headers.get("Idempotency-Key")
    if request.method not in ("POST", "DELETE") or not key:
        return await handler(request)
    if key in replies:
        status, body = replies[key]
        return web.Response(
            status=status,
            body=body,
            content_type="application/json",
            headers={"Idempotent-Replayed": "true"},
        )
    response = await handler(request)
    if isinstance(response, web.Response) and response.status < 500 and response.body:
        replies[key] = (response.status, bytes(response.body))  # type: ignore[arg-type]
    return response


# -- 3. recorded responses ---------------------------------------------------------
async def billing_portal_session(request: web.Request) -> web.Response:
    data = await server.get_post_data(request) or {}
    Customer._api_retrieve(data.get("customer", ""))  # 404 for an unknown customer
    session_id = "bps_" + secrets.token_hex(12)
    return server.json_response(
        {
            "id": session_id,
            "object": "billing_portal.session",
            "configuration": "bpc_recorded",
            "created": int(time.time()),
            "customer": data["customer"],
            "flow": None,
            "livemode": False,
            "locale": None,
            "on_behalf_of": None,
            "return_url": data.get("return_url"),
            "url": f"https://billing.stripe.com/p/session/test_{session_id}",
        }
    )


async def checkout_session(request: web.Request) -> web.Response:
    data = await server.get_post_data(request) or {}
    Customer._api_retrieve(data.get("customer", ""))
    if data.get("mode") != "subscription" or not data.get("line_items"):
        raise UserError(400, "mode=subscription with line_items is required")
    session_id = "cs_test_" + secrets.token_hex(16)
    return server.json_response(
        {
            "id": session_id,
            "object": "checkout.session",
            "cancel_url": data.get("cancel_url"),
            "client_reference_id": data.get("client_reference_id"),
            "created": int(time.time()),
            "customer": data["customer"],
            "expires_at": int(time.time()) + 24 * 3600,
            "livemode": False,
            "metadata": data.get("metadata") or {},
            "mode": "subscription",
            "payment_status": "unpaid",
            "status": "open",
            "subscription": None,
            "success_url": data.get("success_url"),
            "url": f"https://checkout.stripe.com/c/pay/{session_id}",
        }
    )


_configured = False


def application() -> web.Application:
    """localstripe's aiohttp application with the additions above (set up once)."""
    global _configured
    app = server.app
    if not _configured:
        app.middlewares.insert(0, idempotency_middleware)
        app.router.add_post("/v1/billing_portal/sessions", billing_portal_session)
        app.router.add_post("/v1/checkout/sessions", checkout_session)
        _configured = True
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    web.run_app(application(), host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()

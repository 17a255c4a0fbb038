"""localstripe for the billing tests: the product's embedded Stripe
(localdev/localstripe_app.py) plus a test harness, on 127.0.0.1.

    python tests/billing/localstripe_server.py --port 12345

The harness adds what only tests need: a log of every API request with its idempotency key
(`GET /_config/harness/requests`), so tests can check that each write carried the
platform's deterministic key, and `POST /_config/harness/reset` to empty the store
between tests.
"""

from __future__ import annotations

import argparse
from typing import Any

from aiohttp import web
from localstripe import resources

from localdev import localstripe_app

_requests: list[dict[str, Any]] = []


@web.middleware
async def request_log_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    if not request.path.startswith("/_"):
        _requests.append(
            {
                "method": request.method,
                "path": request.path,
                "key": request.headers.get("Idempotency-Key"),
            }
        )
    return await handler(request)


async def requests_log(request: web.Request) -> web.Response:
    return web.json_response(_requests)


async def reset(request: web.Request) -> web.Response:
    resources.store.clear()
    localstripe_app.replies.clear()
    _requests.clear()
    return web.Response()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = localstripe_app.application()
    # First, so replayed requests are logged too.
    app.middlewares.insert(0, request_log_middleware)
    app.router.add_get("/_config/harness/requests", requests_log)
    app.router.add_post("/_config/harness/reset", reset)
    web.run_app(app, host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()

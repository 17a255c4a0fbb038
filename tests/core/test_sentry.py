"""Sentry scrubbing, checked on a captured event; nothing is sent over the network."""

from __future__ import annotations

from typing import Any

import sentry_sdk
from sentry_sdk.transport import Transport

from core.sentry import init_sentry
from tests.conftest import in_council

# Built away from the code that fails, so the data reaches Sentry only as variables (which
# must be scrubbed), not as lines of source context.
CONSTITUENT = {"name": "Jean " + "Brodie", "email": "jean@" + "example.com"}
POSTCODE = "KY1 " + "1AA"
PHONE = "07700 " + "900123"
CASE = {"description": "Da" + "mp in the bedroom", "id": 7}


class CapturingTransport(Transport):
    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self.events: list[dict[str, Any]] = []

    def capture_envelope(self, envelope: Any) -> None:
        for item in envelope.items:
            if item.headers.get("type") == "event":
                self.events.append(item.payload.json)


def test_events_are_tagged_with_schema_and_scrubbed(council_a) -> None:
    transport = CapturingTransport()
    init_sentry(dsn="https://key@sentry.invalid/1", environment="test", transport=transport)
    try:
        with in_council(council_a):

            def fail(constituent: dict[str, str], postcode: str) -> None:
                raise ValueError("boom")

            try:
                fail(CONSTITUENT, POSTCODE)
            except ValueError:
                with sentry_sdk.new_scope() as scope:
                    scope.set_extra("phone", PHONE)
                    scope.set_extra("case", CASE)
                    sentry_sdk.capture_exception()
        sentry_sdk.flush()
    finally:
        sentry_sdk.init(dsn=None)

    assert len(transport.events) == 1
    event = transport.events[0]
    assert event["tags"]["council_schema"] == council_a.schema_name
    text = repr(event)
    for secret in (CONSTITUENT["name"], CONSTITUENT["email"], POSTCODE, PHONE, "mp in the"):
        assert secret not in text, f"{secret!r} leaked into the Sentry event"
    assert event["extra"]["case"]["id"] == 7
    assert "[Filtered]" in text

"""The demo councils and login, importable without Django settings (the launcher prints them)."""

from caseload.demo_places import councillor_wards

DEMO_PASSWORD = "demo-caseload-2026"  # noqa: S105 - printed to the developer on purpose
# Council admins and central staff must sign in with a second factor: the demo ones share
# this authenticator key (base32, as apps take it), printed by `make run`; add it to an app,
# or get the current code with `manage.py demo_code`. Demo data only, like the password.
DEMO_TOTP_SECRET = "MNQXGZLMN5QWILLEMVWW6LJSMZQS2MRQ"  # noqa: S105

# The 2006 pilot councils. Their wards (all of them, real names, ONS codes where a source
# gives one) are in caseload.demo_places; here, the ward each of the ten volunteer
# councillors sits for, spread over the council.
_PILOTS = [
    ("north-lanarkshire", "North Lanarkshire Council"),
    ("dumfries-and-galloway", "Dumfries and Galloway Council"),
    ("east-dunbartonshire", "East Dunbartonshire Council"),
    ("fife", "Fife Council"),
    ("inverclyde", "Inverclyde Council"),
]
PILOT_COUNCILLORS = 10  # the pilot's ten volunteer councillors per council

DEMO_COUNCILS: list[tuple[str, str, list[str]]] = [
    (slug, name, councillor_wards(slug, PILOT_COUNCILLORS)) for slug, name in _PILOTS
]

"""Who does what, by role: the groups pages and rules are gated on."""

from __future__ import annotations

from accounts.models import User

# Councillors and the Members' Services staff who support them handle cases.
CASEWORK: frozenset[str] = frozenset({User.Role.COUNCILLOR, User.Role.STAFF})
# Staff and admins keep the officer directory.
DIRECTORY_KEEPERS: frozenset[str] = frozenset({User.Role.STAFF, User.Role.ADMIN})
# Members' Services staff alone work the inbound triage queue.
STAFF_ONLY: frozenset[str] = frozenset({User.Role.STAFF})
ADMINS: frozenset[str] = frozenset({User.Role.ADMIN})

"""Sections that apps above caseload add to caseload's pages, without caseload importing them.

caseload never imports the apps built on it (README, "Layers"). When one of them has
something to show on a case page (reminders' BFs), it registers a provider here from its
AppConfig.ready(); the case page calls every provider and includes the template each returns.

A provider is called with the request, the case (already read through the visibility rules)
and whether the reader may change it, and returns a `PageSection` or None (nothing to show).
Providers must apply their own app's permission rules to anything beyond the case itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from caseload.models import Case


@dataclass(frozen=True)
class PageSection:
    """A template to include in a caseload page, with its own context (as `section`)."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


CaseSectionProvider = Callable[[HttpRequest, Case, bool], PageSection | None]

# key -> (order, provider); keyed so that a second ready() (tests, autoreload) replaces the
# first registration instead of showing the section twice.
_case_sections: dict[str, tuple[int, CaseSectionProvider]] = {}


def case_section_register(*, key: str, provider: CaseSectionProvider, order: int = 100) -> None:
    """Show `provider`'s section on every case page, lower `order` first."""
    _case_sections[key] = (order, provider)


def case_sections(*, request: HttpRequest, case: Case, can_change: bool) -> list[PageSection]:
    """The sections the installed apps add to this case's page, in order."""
    found = []
    for _order, provider in sorted(_case_sections.values(), key=lambda item: item[0]):
        section = provider(request, case, can_change)
        if section is not None:
            found.append(section)
    return found

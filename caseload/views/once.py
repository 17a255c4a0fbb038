"""What a create page answers when its form is sent a second time (caseload.services.submit_once):
the page of what the first send made, with a notice saying so."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from caseload.services import AlreadySubmitted


def already_submitted_page(request: HttpRequest, exc: AlreadySubmitted) -> HttpResponse | None:
    """The made object's page with "This case was already created: FIFE-2026-00042", or None
    when there is nothing to show this user (the view then shows the message on the form)."""
    if not exc.path:
        return None
    messages.info(request, exc.message)
    return redirect(exc.path)

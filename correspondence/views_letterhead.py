"""The council's letterhead on the web (/letterhead/): Members' Services and administrators
set the name, address, contacts and footer printed on letters, upload a logo (PNG or JPEG,
checked by its bytes) and choose where it goes, and preview a sample letter as PDF or
.docx, made exactly as case letters are. The rules are the API's (services.letterhead)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.models import User
from accounts.roles import DIRECTORY_KEEPERS
from core.errors import ApplicationError
from core.web import add_service_error, council_page
from correspondence import selectors, services
from correspondence.forms_letterhead import LetterheadDetailsForm, LetterheadLogoForm
from correspondence.rendering.letters import (
    DOCX_CONTENT_TYPE,
    PDF_CONTENT_TYPE,
    render_docx,
    render_pdf,
)
from correspondence.services.letterhead import logo_max_bytes
from correspondence.services.sending import letterhead_sample_letter


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _details_initial() -> dict[str, str]:
    row = selectors.correspondence_settings_get()
    return {
        "letterhead_name": row.letterhead_name,
        "address": row.address,
        "phone": row.phone,
        "email": row.email,
        "website": row.website,
        "footer": row.footer,
        "logo_position": row.logo_position,
    }


@council_page(roles=DIRECTORY_KEEPERS)
@require_http_methods(["GET", "POST"])
def letterhead_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    action = request.POST.get("action") if request.method == "POST" else None
    details = LetterheadDetailsForm(
        request.POST if action == "details" else None, initial=_details_initial()
    )
    logo_form = LetterheadLogoForm(
        request.POST if action == "logo" else None, request.FILES if action == "logo" else None
    )
    status = 200
    try:
        if action == "details" and details.is_valid():
            services.letterhead_update(actor=user, **details.cleaned_data)
            messages.success(request, "Letterhead saved. The sample letter shows it.")
            return redirect("correspondence:letterhead")
        if action == "logo" and logo_form.is_valid():
            services.letterhead_logo_set(actor=user, file=logo_form.cleaned_data["logo"])
            messages.success(request, "Logo saved. Letters made from now on carry it.")
            return redirect("correspondence:letterhead")
        if action == "remove_logo":
            services.letterhead_logo_remove(actor=user)
            messages.success(request, "Logo removed from the letterhead.")
            return redirect("correspondence:letterhead")
    except ApplicationError as exc:
        add_service_error(logo_form if action == "logo" else details, exc)
    if details.errors or logo_form.errors:
        status = 400
    row = selectors.correspondence_settings_get()
    # The preview's size on the page: at most 160 px wide, in proportion (attributes, not
    # inline style, which the CSP refuses).
    width = min(160, row.logo_width) if row.logo_width else 0
    height = round(row.logo_height * width / row.logo_width) if row.logo_width else 0
    contact = [x for x in (row.phone and f"Tel: {row.phone}", row.email, row.website) if x]
    return render(
        request,
        "correspondence/letterhead.html",
        {
            "details": details,
            "logo_form": logo_form,
            "settings_row": row,
            "has_logo": bool(row.logo_content_type),
            "printed_name": row.letterhead_name or selectors.council_name(),
            "address_lines": [x for x in row.address.splitlines() if x.strip()],
            "contact_lines": contact,
            "logo_size": (width, height),
            "logo_hint": (
                f"A PNG or JPEG image, up to {logo_max_bytes() // 1024} KB and 4000 pixels on "
                "its longer side; it is printed at most 4.5 cm wide."
                + (" It replaces the logo letters carry now." if row.logo_content_type else "")
            ),
        },
        status=status,
    )


@council_page(roles=DIRECTORY_KEEPERS)
@require_http_methods(["GET"])
def letterhead_logo(request: HttpRequest) -> HttpResponse:
    """The logo as uploaded (already checked to be a PNG or JPEG), for the page's preview."""
    logo = selectors.letterhead_logo_get()
    if logo is None:
        return HttpResponse(status=404)
    response = HttpResponse(logo[0], content_type=logo[1])
    response["X-Content-Type-Options"] = "nosniff"
    return response


@council_page(roles=DIRECTORY_KEEPERS)
@require_http_methods(["GET"])
def letterhead_sample(request: HttpRequest, fmt: str) -> HttpResponse:
    """A sample letter (sample values, never a constituent's) on the letterhead as saved."""
    letter = letterhead_sample_letter(actor=_user(request))
    if fmt == "pdf":
        content, content_type = render_pdf(letter), PDF_CONTENT_TYPE
    else:
        content, content_type = render_docx(letter), DOCX_CONTENT_TYPE
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if fmt == "pdf" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="sample-letter.{fmt}"'
    return response

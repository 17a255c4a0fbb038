"""Writing from a case on the council's web site: choose a template (and, for an officer,
the referral), see it merged, then send it as an email or download it as a letter.

One page, two steps, no JavaScript: the choice is a GET form, so the preview is a plain
link (the case page's "Email the officer" and the redirect after a referral go straight to
it); sending is a POST that repeats the choice with the button pressed. Who may write is
who may change the case (`case_get_for_change`); the rules are in services.sending.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.models import User
from accounts.roles import CASEWORK
from caseload.forms import OnceForm
from caseload.models import Case
from caseload.selectors import case_get_for_change, referral_list_for_case
from caseload.services import AlreadySubmitted, submit_once
from caseload.views.once import already_submitted_page
from core.errors import ApplicationError, NotFound, PermissionDenied
from core.web import add_service_error, council_page
from correspondence import selectors, services
from correspondence.forms import SendForm, WriteForm
from correspondence.services import Prepared
from correspondence.shared.models import Audience

NON_FIELD = "__all__"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _prepare(user: User, case: Case, form: WriteForm) -> Prepared | None:
    """The merged subject and body for the form's choice (nothing recorded; an officer's
    reply link shows as a placeholder until it is sent), or None with the service's
    error on the form."""
    chosen = form.chosen
    if chosen is None:
        return None
    try:
        return services.correspondence_prepare(
            actor=user,
            key=chosen.key,
            case=case,
            referral=form.cleaned_data.get("referral"),
        )
    except (NotFound, PermissionDenied):
        raise
    except ApplicationError as exc:
        add_service_error(form, exc)
        return None


def _page(
    request: HttpRequest,
    *,
    case: Case,
    form: WriteForm,
    prepared: Prepared | None,
    referrals: list[Any],
    changing: bool = False,
    once: OnceForm | None = None,
) -> HttpResponse:
    return render(
        request,
        "correspondence/case_write.html",
        {
            "case": case,
            "form": form,
            "prepared": prepared,
            # Step 1 (the choice) when asked to change it, when there is nothing to preview,
            # or when a problem is with a choice (its radios are only on step 1).
            "changing": changing
            or prepared is None
            or any(name not in (NON_FIELD, "channel") for name in form.errors),
            "referrals": referrals,
            # The send buttons' one-time token: fresh with each preview, kept on an error.
            "once": once if once is not None else OnceForm(),
            "for_officer": prepared is not None and prepared.template.audience == Audience.OFFICER,
        },
    )


@council_page(roles=CASEWORK)
@require_http_methods(["GET", "POST"])
def case_write(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = case_get_for_change(user=user, case_id=case_id)
    templates = selectors.template_list_effective(user=user)
    referrals = list(referral_list_for_case(case=case))
    choices: dict[str, Any] = {"templates": templates, "referrals": referrals}

    if request.method == "GET":
        changing = "change" in request.GET
        has_choice = "template" in request.GET and not changing
        form = WriteForm(request.GET if has_choice else None, **choices)
        if changing:
            form = WriteForm(initial=request.GET.dict(), **choices)
        prepared = _prepare(user, case, form) if has_choice else None
        return _page(
            request,
            case=case,
            form=form,
            prepared=prepared,
            referrals=referrals,
            changing=changing,
        )

    send = SendForm(request.POST, **choices)
    once = OnceForm(request.POST)
    token = once.cleaned_data.get("form_token", "") if once.is_valid() else ""
    prepared = None
    if send.is_valid() and send.chosen is not None:
        key = send.chosen.key
        referral = send.cleaned_data.get("referral")
        channel = send.cleaned_data["channel"]
        # What was made is named without the recipient: the token's record outlives an
        # erasure of the person.
        made = (
            f"{case.reference}, in the case's history",
            reverse("caseload:case-detail", kwargs={"case_id": case.pk}),
        )
        try:
            if channel == "email":
                sent = submit_once(
                    user=user,
                    token=token,
                    kind="email",
                    create=lambda: services.correspondence_send_email(
                        actor=user, key=key, case=case, referral=referral
                    ),
                    describe=lambda _: made,
                )
            else:
                # A letter is a download that leaves the page as it was: making it again
                # (the PDF after the .docx, a second copy after a paper jam) is a fresh
                # letter the user asked for, not a resubmission, so it takes no token.
                letter = services.correspondence_make_letter(
                    actor=user,
                    key=key,
                    case=case,
                    formats=["docx", "pdf"] if channel == "both" else [channel],
                    referral=referral,
                )
        except (NotFound, PermissionDenied):
            raise
        except AlreadySubmitted as exc:
            if (page := already_submitted_page(request, exc)) is not None:
                return page
            add_service_error(send, exc)
        except ApplicationError as exc:
            # "No email address" names the channel: it is about the whole choice, so it
            # goes at the top of the page rather than on one of the buttons.
            add_service_error(send, exc, field_map={"channel": NON_FIELD})
        else:
            if channel == "email":
                messages.success(request, f"Email sent to {sent.to}. It is in the case history.")
                return redirect("caseload:case-detail", case_id=case.pk)
            if channel == "both":
                # Two files are two downloads: the case page lists both under its files.
                messages.success(
                    request,
                    f"Letter made as .docx and PDF ({', '.join(f.filename for f in letter.files)})"
                    ". Both are in the case's files below, and it is one entry in the history.",
                )
                return redirect("caseload:case-detail", case_id=case.pk)
            # The browser stays on this page and saves the file; the note shows on the
            # next page it opens (the case, usually).
            messages.success(
                request,
                f"Letter {letter.filename} is attached to the case and in its history.",
            )
            response = HttpResponse(letter.content, content_type=letter.content_type)
            response["Content-Disposition"] = f'attachment; filename="{letter.filename}"'
            return response
        # Show the preview again beside the error (e.g. no email address: send a letter).
        prepared = _prepare(user, case, WriteForm(request.POST, **choices))
    return _page(request, case=case, form=send, prepared=prepared, referrals=referrals, once=once)

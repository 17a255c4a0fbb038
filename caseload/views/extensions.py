"""The councillor answers an officer's request for more time, from the case page (a plain
form: accept or refuse). The rule (what moves, what "on time" is judged against) is
caseload.services.referrals'."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.roles import CASEWORK
from caseload import selectors, services
from core.errors import ApplicationError
from core.web import council_page


@council_page(roles=CASEWORK)
@require_POST
def referral_extension_decide(
    request: HttpRequest, case_id: int, extension_id: int
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    case = selectors.case_get_for_change(user=user, case_id=case_id)
    extension = selectors.referral_extension_get_for_case(case=case, extension_id=extension_id)
    decision = request.POST.get("decision")
    if decision not in ("accept", "refuse"):
        messages.error(request, "Choose whether to accept or refuse the request.")
        return redirect("caseload:case-detail", case_id=case.pk)
    try:
        decided = services.referral_extension_decide(
            actor=user, extension=extension, accept=decision == "accept"
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        officer = decided.referral.officer.name
        if decision == "accept":
            messages.success(
                request,
                f"More time agreed: {officer}'s reply is now due by "
                f"{decided.requested_date:%-d %B %Y}. Whether it is on time is still judged "
                f"against the original target, {decided.referral.original_target_date:%-d %B %Y}.",
            )
        else:
            messages.success(
                request,
                f"Request refused: {officer}'s reply is still due by "
                f"{decided.referral.target_date:%-d %B %Y}.",
            )
    return redirect("caseload:case-detail", case_id=case.pk)

"""The council admin's sign-in security pages: who must use a second factor, and for one
user, their lockout and second factor (unlock; reset after a lost phone)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.models import User
from accounts.roles import ADMINS
from accounts.selectors import (
    has_second_factor,
    lockout_status,
    member_get_for_admin,
    recovery_codes_left,
    sign_in_policy_get,
)
from accounts.services import lockout_clear, sign_in_policy_update, two_factor_reset
from core.errors import ApplicationError
from core.web import council_page


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@council_page(roles=ADMINS)
def admin_sign_in_policy(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        choice = request.POST.get("require_two_factor")
        if choice not in ("everyone", "admins"):
            error = "Choose who must use two-factor sign-in"
        else:
            try:
                sign_in_policy_update(actor=_user(request), require_two_factor=choice == "everyone")
            except ApplicationError as exc:
                error = exc.message
            else:
                messages.success(
                    request,
                    "Everyone now signs in with a second factor; those without one set it up "
                    "at their next sign-in."
                    if choice == "everyone"
                    else "Only admins must now use a second factor.",
                )
                return redirect("caseload:admin-sign-in")
    without = [
        u for u in User.objects.filter(is_active=True).order_by("name") if not has_second_factor(u)
    ]
    return render(
        request,
        "caseload/admin/sign_in_policy.html",
        {"policy": sign_in_policy_get(), "without": without, "error": error},
        status=400 if error else 200,
    )


@council_page(roles=ADMINS)
def admin_user_sign_in(request: HttpRequest, user_id: int) -> HttpResponse:
    """GET shows the user's lockout and second factor; POST `unlock` clears their failed
    sign-ins, POST `reset` removes their second factor (both recorded, and the user is
    emailed about a reset)."""
    member = member_get_for_admin(user=_user(request), user_id=user_id)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "unlock":
                lockout_clear(actor=_user(request), user=member)
                done = f"{member.name} can try to sign in again now."
            elif action == "reset":
                two_factor_reset(
                    actor=_user(request), user=member, reason=request.POST.get("reason", "")
                )
                done = (
                    f"{member.name}'s two-factor sign-in is reset: they are signed out and will "
                    "set up a new app when they next sign in."
                )
            else:
                error = "Choose what to do."
        except ApplicationError as exc:
            error = exc.message
        if not error:
            messages.success(request, done)
            return redirect("caseload:admin-user-sign-in", user_id=member.pk)
    return render(
        request,
        "caseload/admin/user_sign_in.html",
        {
            "member": member,
            "is_self": member.pk == _user(request).pk,
            "lockout": lockout_status(email=member.email),
            "has_second_factor": has_second_factor(member),
            "codes_left": recovery_codes_left(member),
            "error": error,
        },
        status=400 if error else 200,
    )

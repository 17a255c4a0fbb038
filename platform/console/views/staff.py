"""Central staff's own accounts: who has a second factor, who is locked out; unlocking a
colleague and resetting their second factor (never one's own: a second person checks who
is asking). The accounts live in the public schema, like every central user."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.models import User
from accounts.selectors import has_second_factor, lockout_status, recovery_codes_left
from accounts.services import lockout_clear, two_factor_reset
from console.permissions import central_staff_required
from core.errors import ApplicationError


def _staff() -> list[User]:
    return list(User.objects.filter(role=User.Role.CENTRAL).order_by("name", "id"))


@central_staff_required
def staff_list_view(request: HttpRequest) -> HttpResponse:
    rows = [
        {
            "user": u,
            "two_factor": has_second_factor(u),
            "lockout": lockout_status(email=u.email),
        }
        for u in _staff()
    ]
    return render(request, "console/staff.html", {"rows": rows})


@central_staff_required
def staff_sign_in_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = User.objects.filter(role=User.Role.CENTRAL, pk=pk).first()
    if member is None:
        raise Http404("No such colleague.")
    actor: User = request.user  # type: ignore[assignment]
    error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "unlock":
                lockout_clear(actor=actor, user=member)
                done = f"{member.name} can try to sign in again now."
            elif action == "reset":
                two_factor_reset(actor=actor, user=member, reason=request.POST.get("reason", ""))
                done = f"{member.name}'s two-factor sign-in is reset; they set up a new app next."
            else:
                error = "Choose what to do."
        except ApplicationError as exc:
            error = exc.message
        if not error:
            messages.success(request, done)
            return redirect("console:staff-sign-in", pk=member.pk)
    return render(
        request,
        "console/staff_sign_in.html",
        {
            "member": member,
            "is_self": member.pk == actor.pk,
            "lockout": lockout_status(email=member.email),
            "has_second_factor": has_second_factor(member),
            "codes_left": recovery_codes_left(member),
            "error": error,
        },
        status=400 if error else 200,
    )

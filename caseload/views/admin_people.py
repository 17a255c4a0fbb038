"""An admin changes a user's name, email, role or ward (a by-election, a new job, a new
name). The rules (seat cap, a councillor's ward, no demoting oneself) are the services'."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.models import User
from accounts.roles import ADMINS
from accounts.selectors import member_get_for_admin
from caseload import services
from caseload.forms import MemberEditForm
from caseload.models import Ward
from caseload.views.admin import seat_usage
from core.errors import ApplicationError
from core.web import add_service_error, council_page, posted


@council_page(roles=ADMINS)
def admin_user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    admin: User = request.user  # type: ignore[assignment]
    member = member_get_for_admin(user=admin, user_id=user_id)
    current_ward = Ward.objects.filter(name=member.ward, is_current=True).first()
    form = MemberEditForm(
        posted(request),
        initial={
            "name": member.name,
            "email": member.email,
            "role": member.role,
            "ward": current_ward,
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            updated = services.member_update(
                actor=admin,
                user=member,
                name=d["name"],
                email=d["email"],
                role=d["role"],
                ward=d["ward"].name if d.get("ward") else "",
            )
        except ApplicationError as exc:
            if exc.code == "seat_cap_reached":
                form.add_error("role", exc.message)
            else:
                add_service_error(form, exc)
        else:
            messages.success(request, f"{updated.name}'s details are saved.")
            return redirect("caseload:admin-users")
    return render(
        request,
        "caseload/admin/user_edit.html",
        {
            "form": form,
            "member": member,
            "is_self": member.pk == admin.pk,
            # A ward no longer current (boundaries changed) is shown, so it is not lost unseen.
            "old_ward": member.ward if member.ward and current_ward is None else "",
            "seats": seat_usage(request),
        },
        status=400 if form.errors else 200,
    )

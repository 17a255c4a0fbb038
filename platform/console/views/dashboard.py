from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from console.models import OnboardingJob, TrialRequest
from console.permissions import central_staff_required
from console.selectors.directory import council_directory_rows


def home(request: HttpRequest) -> HttpResponse:
    """The platform host's front page: the central body's dashboard for its staff, and for
    anyone else the way in (start a free trial, or sign in)."""
    if not request.user.is_authenticated:
        return render(request, "console/landing.html")
    return dashboard(request)


@central_staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    rows = council_directory_rows(sort="health", desc=True)
    context = {
        "council_count": len(rows),
        "needs_attention": [r for r in rows if r.health.level > 0][:10],
        "pending_requests": TrialRequest.objects.filter(
            status=TrialRequest.Status.CONFIRMED
        ).count(),
        "recent_jobs": list(OnboardingJob.objects.select_related("council")[:5]),
    }
    return render(request, "console/dashboard.html", context)

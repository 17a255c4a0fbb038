"""The council directory, onboarding a council, and following an onboarding job."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from console.forms import OnboardingForm
from console.models import OnboardingJob
from console.permissions import central_staff_required
from console.selectors.directory import SORTS, council_directory_rows
from console.services import (
    onboarding_job_create,
    onboarding_live_stage,
    onboarding_requeue,
    onboarding_resend_welcome,
)
from console.services.onboarding import STAGES
from console.views.common import actor_of, form_errors_from
from core.errors import ApplicationError

# A job still queued after this long probably missed the broker: offer to queue it again.
STUCK_AFTER = timedelta(minutes=1)

COLUMNS = [
    ("name", "Council"),
    ("licence", "Licence"),
    ("trial_end", "Trial ends"),
    ("seats", "Seats used"),
    ("activity", "Last activity"),
    ("health", "Health"),
]


@central_staff_required
def directory_view(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    sort = request.GET.get("sort", "name")
    if sort not in SORTS:
        sort = "name"
    desc = request.GET.get("dir") == "desc"
    rows = council_directory_rows(q=q, sort=sort, desc=desc)
    columns = [
        {
            "key": key,
            "label": label,
            "active": key == sort,
            "aria_sort": ("descending" if desc else "ascending") if key == sort else "none",
            "next_dir": "asc" if key == sort and desc else ("desc" if key == sort else "asc"),
        }
        for key, label in COLUMNS
    ]
    return render(
        request,
        "console/directory.html",
        {"rows": rows, "q": q, "sort": sort, "desc": desc, "columns": columns},
    )


@central_staff_required
@require_http_methods(["GET", "POST"])
def onboarding_new_view(request: HttpRequest) -> HttpResponse:
    form = OnboardingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = onboarding_job_create(actor=actor_of(request), **form.cleaned_data)
        except ApplicationError as exc:
            form_errors_from(form, exc)
        else:
            return redirect("console:onboarding-job", pk=job.pk)
    return render(
        request,
        "console/onboarding_new.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def job_progress(job: OnboardingJob) -> dict:
    """What the progress page and the API show: each stage with its state."""
    live = onboarding_live_stage(job=job)
    order = [str(s) for s in STAGES]
    current = order.index(live) if live in order else (len(order) if live == "done" else -1)
    stages = []
    for index, stage in enumerate(STAGES):
        if job.status == OnboardingJob.Status.FAILED and stage == job.failed_stage:
            state = "failed"
        elif job.status == OnboardingJob.Status.FAILED and index > current:
            state = "not_started"
        elif job.status == OnboardingJob.Status.SUCCEEDED or index < current:
            state = "done"
        elif index == current and job.status == OnboardingJob.Status.RUNNING:
            state = "running"
        else:
            state = "not_started"
        stages.append({"key": str(stage), "label": stage.label, "state": state})
    done = sum(1 for s in stages if s["state"] == "done")
    running = next((s["label"] for s in stages if s["state"] == "running"), "")
    return {
        "stage": live,
        "stages": stages,
        "done": done,
        "total": len(stages),
        "current_label": running,
    }


@central_staff_required
def onboarding_job_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress page. While the job runs, htmx asks again every 2 seconds (HX-Request)
    and gets the status and steps, or a 204 when nothing changed since what it shows."""
    job = get_object_or_404(OnboardingJob.objects.select_related("council", "welcome_email"), pk=pk)
    waiting = timezone.now() - job.created_at
    progress = job_progress(job)
    stuck = job.status == OnboardingJob.Status.QUEUED and waiting > STUCK_AFTER
    poll_key = f"{job.status}:{progress['stage']}:{progress['done']}:{int(stuck)}"
    context = {"job": job, "progress": progress, "stuck": stuck, "poll_key": poll_key}
    if request.headers.get("HX-Request"):
        if request.GET.get("seen") == poll_key:
            return HttpResponse(status=204)
        return render(request, "console/_onboarding_poll.html", context)
    return render(request, "console/onboarding_job.html", context)


@central_staff_required
@require_POST
def onboarding_requeue_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(OnboardingJob, pk=pk)
    try:
        onboarding_requeue(job=job)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Queued again.")
    return redirect("console:onboarding-job", pk=job.pk)


@central_staff_required
@require_POST
def onboarding_resend_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(OnboardingJob.objects.select_related("council"), pk=pk)
    try:
        onboarding_resend_welcome(job=job, actor=actor_of(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"A new welcome email is on its way to {job.admin_email}.")
    return redirect("console:onboarding-job", pk=job.pk)

"""Batch replies on the web: choose cases with the case list's filters (kept to the
councillors the sender acts for), choose a constituent template and how, see it merged for
the first case, send; then follow the batch, each case's own record, and download its PDF
letters as one file to print. Built on services.batch_create / batch_process (the API's).

No JavaScript: the choice is a GET form (so the preview is a plain link), sending is a POST
repeating it; the cases are found again on the server, never taken from the browser.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.models import User
from accounts.roles import CASEWORK
from caseload.forms import OnceForm
from caseload.models import Case
from caseload.selectors import acting_for_ids, case_list_for_user, owner_choices_for_user, read_log
from caseload.services import AlreadySubmitted, submit_once
from caseload.views.once import already_submitted_page
from core.errors import ApplicationError, NotFound, PermissionDenied
from core.web import add_service_error, council_page, paginate
from correspondence import selectors, services
from correspondence.forms import BatchForm
from correspondence.models import Batch
from correspondence.rendering.letters import PDF_CONTENT_TYPE, merge_pdfs
from correspondence.services import Prepared
from correspondence.services.batches import MAX_BATCH_CASES

SHOWN_CASES = 20


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@council_page(roles=CASEWORK)
@require_http_methods(["GET"])
def batch_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.batch_list_for_user(user=_user(request)))
    return render(request, "correspondence/batch_list.html", {"page_obj": page})


def _cases(user: User, form: BatchForm) -> QuerySet[Case]:
    """The filter's cases that `user` may write to (their own, or their councillors')."""
    filters = form.filters(owner_ids=acting_for_ids(user))
    return case_list_for_user(user=user, filters=filters).filter(owner_id__in=acting_for_ids(user))


@council_page(roles=CASEWORK)
@require_http_methods(["GET", "POST"])
def batch_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    choices: dict[str, Any] = {
        "templates": selectors.template_list_effective(user=user),
        "owners": owner_choices_for_user(user=user),
    }
    data = request.POST if request.method == "POST" else request.GET
    form = BatchForm(data if "template" in data else None, **choices)
    # The send button's one-time token: fresh with each preview, kept if the send fails.
    once = OnceForm(request.POST if request.method == "POST" else None)
    cases: list[Case] = []
    count = 0
    prepared: Prepared | None = None
    if form.is_bound and form.is_valid():
        matched = _cases(user, form)
        count = matched.count()
        cases = list(matched[:SHOWN_CASES])
        if count > MAX_BATCH_CASES:
            form.add_error(None, f"{count} cases match; a batch covers at most {MAX_BATCH_CASES}.")
        elif not count:
            form.add_error(None, "No case of yours matches these filters: change them.")
        else:
            key, channel = form.cleaned_data["template"], form.cleaned_data["channel"]
            try:
                if request.method == "POST":
                    ids = list(matched.values_list("pk", flat=True))
                    token = once.cleaned_data.get("form_token", "") if once.is_valid() else ""
                    batch = submit_once(
                        user=user,
                        token=token,
                        kind="batch",
                        create=lambda: services.batch_create(
                            actor=user, key=key, case_ids=ids, channel=channel
                        ),
                        describe=lambda b: (
                            f"{b.template_name[:120]} to {len(ids)} cases",
                            reverse("correspondence:batch-detail", kwargs={"batch_id": b.pk}),
                        ),
                    )
                    messages.success(
                        request,
                        f"Batch queued: {batch.template_name} to {len(ids)} cases. Each case "
                        "records its own letter or email as it is sent.",
                    )
                    return redirect("correspondence:batch-detail", batch_id=batch.pk)
                prepared = services.correspondence_prepare(actor=user, key=key, case=cases[0])
            except (NotFound, PermissionDenied):
                raise
            except AlreadySubmitted as exc:
                if (page := already_submitted_page(request, exc)) is not None:
                    return page
                add_service_error(form, exc)
            except ApplicationError as exc:
                add_service_error(form, exc)
    return render(
        request,
        "correspondence/batch_new.html",
        {
            "form": form,
            "cases": cases,
            "count": count,
            "more": max(count - len(cases), 0),
            "prepared": prepared,
            "once": once,
            # The preview's choice, repeated by the form that sends it.
            "hidden": [
                (k, v)
                for k, values in data.lists()
                for v in values
                if k not in ("csrfmiddlewaretoken", "form_token")
            ],
        },
    )


@council_page(roles=CASEWORK)
@require_http_methods(["GET"])
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = selectors.batch_get_for_user(user=_user(request), batch_id=batch_id)
    items = list(selectors.batch_items(batch=batch))
    read_log.case_list_record(
        user=_user(request),
        rows=[item.case for item in items],
        where="batch_detail",
        filters={"batch_id": batch.pk},
    )
    return render(
        request,
        "correspondence/batch_detail.html",
        {"batch": batch, "items": items, "printable": batch.channel == Batch.Channel.PDF},
    )


@council_page(roles=CASEWORK)
@require_http_methods(["GET"])
def batch_print(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The batch's PDF letters as one file, to print in one go."""
    batch = selectors.batch_get_for_user(user=_user(request), batch_id=batch_id)
    files = selectors.batch_print_attachments(batch=batch)
    if not files:
        raise NotFound("This batch has no PDF letters yet.")
    parts = []
    for attachment in files:
        with attachment.file.open("rb") as handle:
            parts.append(handle.read())
    read_log.letters_download_record(
        user=_user(request),
        cases=list({a.case_id: a.case for a in files}.values()),
        summary=f"Downloaded batch {batch.pk}'s {len(files)} PDF letters in one file",
        detail={"batch_id": batch.pk, "letters": len(files)},
    )
    response = HttpResponse(merge_pdfs(parts), content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="batch-{batch.pk}-letters.pdf"'
    return response

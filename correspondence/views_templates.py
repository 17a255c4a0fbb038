"""The council's templates on the web: every template it uses (shared, its copy of a shared
one, or its own), with when the shared one changed since the copy; Members' Services and
administrators copy a shared template and edit the copy with a preview merged from sample
values and the list of merge fields. The rules are the API's (services.templates).

The preview works without JavaScript (the Preview button posts the draft and the page shows
it merged, nothing saved); with it, htmx posts the draft as one types and swaps in the same
fragment. The CSP allows no inline script, so htmx is configured from base.html's meta.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.models import User
from accounts.roles import DIRECTORY_KEEPERS
from caseload.forms import OnceForm
from caseload.selectors import user_keeps_directory
from caseload.services import AlreadySubmitted, submit_once
from caseload.views.once import already_submitted_page
from core.errors import ApplicationError, NotFound, PermissionDenied
from core.web import add_service_error, council_page
from correspondence import selectors, services
from correspondence.forms import TemplateEditForm
from correspondence.merge_fields import MERGE_FIELDS
from correspondence.rendering.sandbox import Rendered
from correspondence.selectors import EffectiveTemplate
from correspondence.shared.models import SharedTemplate


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@council_page()
@require_http_methods(["GET"])
def template_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "correspondence/template_list.html",
        {
            "templates": selectors.template_list_effective(user=user),
            "can_keep": user_keeps_directory(user),
        },
    )


def _preview(
    user: User, template: EffectiveTemplate, form: TemplateEditForm | None
) -> tuple[Rendered | None, str]:
    """The draft (or the saved template) merged with sample values, or the problem."""
    subject = body = None
    if form is not None and form.is_bound:
        subject, body = form.data.get("subject", ""), form.data.get("body", "")
    try:
        prepared = services.correspondence_prepare(
            actor=user, key=template.key, case=None, subject=subject, body=body
        )
    except (NotFound, PermissionDenied):
        raise
    except ApplicationError as exc:
        return None, exc.message
    return prepared.rendered, ""


@council_page()
@require_http_methods(["GET", "POST"])
def template_detail(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    template = selectors.template_get_effective(user=user, key=key)
    can_keep = user_keeps_directory(user)
    editable = can_keep and template.source != "shared"
    form = None
    if editable:
        initial = {f: getattr(template, f) for f in ("name", "description", "subject", "body")}
        form = TemplateEditForm(request.POST if request.method == "POST" else None, initial=initial)
    elif request.method == "POST":
        raise PermissionDenied(
            "Copy the shared template first, then change the copy."
            if can_keep
            else "Only Members' Services staff and council administrators keep the templates."
        )
    if form is not None and "save" in request.POST and form.is_valid():
        try:
            services.template_update(actor=user, key=key, **form.cleaned_data)
        except (NotFound, PermissionDenied):
            raise
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"'{form.cleaned_data['name']}' saved.")
            return redirect("correspondence:template-detail", key=key)
    rendered, problem = _preview(user, template, form)
    shared = (
        SharedTemplate.objects.filter(key=key).first()
        if template.shared_changed_since_copy
        else None
    )
    return render(
        request,
        "correspondence/template_detail.html",
        {
            "template": template,
            "form": form,
            "can_keep": can_keep,
            "copy_form": OnceForm() if can_keep and template.source == "shared" else None,
            "rendered": rendered,
            "problem": problem,
            "shared": shared,
            "merge_fields": [
                (f"{ns}.{name}", text)
                for ns, names in MERGE_FIELDS.items()
                for name, text in names.items()
            ],
        },
    )


@council_page(roles=DIRECTORY_KEEPERS)
@require_http_methods(["POST"])
def template_preview(request: HttpRequest, key: str) -> HttpResponse:
    """htmx: the draft in the edit form merged with sample values (a fragment)."""
    user = _user(request)
    template = selectors.template_get_effective(user=user, key=key)
    rendered, problem = _preview(user, template, TemplateEditForm(request.POST))
    return render(
        request,
        "correspondence/_template_preview.html",
        {"rendered": rendered, "problem": problem},
    )


@council_page(roles=DIRECTORY_KEEPERS)
@require_http_methods(["POST"])
def template_copy(request: HttpRequest, key: str) -> HttpResponse:
    """Make the council's copy of a shared template, then edit it."""
    user = _user(request)
    once = OnceForm(request.POST)
    token = once.cleaned_data.get("form_token", "") if once.is_valid() else ""
    try:
        submit_once(
            user=user,
            token=token,
            kind="copy",
            create=lambda: services.template_copy(actor=user, key=key),
            describe=lambda t: (
                f"'{t.name}'",
                reverse("correspondence:template-detail", kwargs={"key": t.key}),
            ),
        )
    except (NotFound, PermissionDenied):
        raise
    except AlreadySubmitted as exc:
        if (page := already_submitted_page(request, exc)) is not None:
            return page
        messages.error(request, exc.message)
    except ApplicationError as exc:  # already copied (another tab, another person)
        messages.error(request, exc.message)
    else:
        messages.success(request, "This is now the council's copy: change it below.")
    return redirect("correspondence:template-detail", key=key)

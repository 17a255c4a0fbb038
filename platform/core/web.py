"""What every server-rendered page of a council's site shares: sign-in and role gates,
service errors turned into form errors or 404/403 pages, and paging."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from typing import Any, TypeVar

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import exceptions as django_exceptions
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, QueryDict
from django.http.response import HttpResponseBase

from core.errors import ApplicationError, NotFound, PermissionDenied

V = TypeVar("V", bound=Callable[..., HttpResponseBase])

PAGE_SIZE = 25


def council_page(*, roles: Collection[str] | None = None) -> Callable[[V], V]:
    """A page of a council's site: signed-in users of this council only (optionally only some
    roles). A service's NotFound becomes a 404 page and PermissionDenied a 403 page, so an
    invisible case looks exactly like a missing one."""

    def decorator(view: V) -> V:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if getattr(request, "council", None) is None:
                raise Http404("Council pages are served on a council's own address.")
            user: Any = request.user
            if roles is not None and user.role not in roles:
                raise django_exceptions.PermissionDenied(
                    "This page is for " + ", ".join(sorted(_role_names(roles))) + "."
                )
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                raise Http404(exc.message) from exc
            except PermissionDenied as exc:
                raise django_exceptions.PermissionDenied(exc.message) from exc

        return login_required(wrapper)  # type: ignore[return-value]

    return decorator


def _role_names(roles: Collection[str]) -> list[str]:
    # The user model's own labels ("Members' Services staff"), without naming the model.
    role_choices = getattr(get_user_model(), "Role", None)
    labels = dict(role_choices.choices) if role_choices is not None else {}
    return [str(labels.get(role, role)).lower() for role in roles]


def add_service_error(
    form: forms.BaseForm, exc: ApplicationError, *, field_map: dict[str, str] | None = None
) -> None:
    """Show a service's error on the form: field errors next to their fields (names mapped
    through `field_map` where the form calls them differently); when none of them belongs
    to a field, the service's message goes at the top of the form."""
    field_map = field_map or {}
    fields = {
        field_map.get(name, name): messages
        for name, messages in (exc.extra or {}).items()
        if field_map.get(name, name) in form.fields and isinstance(messages, list | tuple)
    }
    # With one field at fault the service's own sentence is the clearer message; with
    # several, its message is a summary ("see fields") and each field's own text is shown.
    if len(fields) == 1 and "see fields" not in exc.message:
        fields = {name: [exc.message] for name in fields}
    placed = False
    for target, messages in fields.items():
        for message in messages:
            form.add_error(target, str(message))
        placed = True
    if not placed:
        form.add_error(None, exc.message)


def paginate(request: HttpRequest, queryset: QuerySet[Any] | list[Any]) -> Page:
    paginator = Paginator(queryset, PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def query_without_page(params: QueryDict) -> str:
    """The current query string minus `page`, for the pager's links."""
    copy = params.copy()
    copy.pop("page", None)
    return copy.urlencode()


def posted(request: HttpRequest) -> Any:
    """The form data on a POST (even an empty one, so it is validated), else None."""
    return request.POST if request.method == "POST" else None


def posted_files(request: HttpRequest) -> Any:
    return request.FILES if request.method == "POST" else None

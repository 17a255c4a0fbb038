"""A council's own templates: copy a shared one (the copy then replaces it here), edit,
add the council's own, and go back to the shared version."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.models import User
from caseload.selectors import user_keeps_directory
from caseload.services import assert_council_writable
from core.errors import Conflict, NotFound, PermissionDenied
from correspondence.models import CouncilTemplate
from correspondence.shared.models import SharedTemplate
from correspondence.shared.services import clean_key, clean_template_fields

_UNSET: Any = object()


def _require_keeper(actor: User) -> None:
    if not user_keeps_directory(actor):
        raise PermissionDenied(
            "Only Members' Services staff and council administrators keep the templates."
        )


@transaction.atomic
def template_copy(*, actor: User, key: str) -> CouncilTemplate:
    """Make the council's own copy of the shared template `key`. From now on the council
    uses its copy, and changes the central body makes to the shared one do not reach it."""
    assert_council_writable()
    _require_keeper(actor)
    shared = SharedTemplate.objects.filter(key=key).first()
    if shared is None:
        raise NotFound(f"No shared template '{key}'.")
    if CouncilTemplate.objects.filter(key=key).exists():
        raise Conflict(f"The council already has its own version of '{key}'; edit that.")
    return CouncilTemplate.objects.create(
        key=shared.key,
        name=shared.name,
        description=shared.description,
        audience=shared.audience,
        subject=shared.subject,
        body=shared.body,
        based_on_version=shared.version,
        created_by=actor,
        updated_by=actor,
    )


@transaction.atomic
def template_create(
    *,
    actor: User,
    key: str,
    name: str,
    audience: str,
    subject: str,
    body: str,
    description: str = "",
) -> CouncilTemplate:
    """A template only this council has. Unknown merge fields are refused, by name."""
    assert_council_writable()
    _require_keeper(actor)
    key = clean_key(key)
    if SharedTemplate.objects.filter(key=key).exists():
        raise Conflict(f"'{key}' is a shared template; copy it to make the council's own version.")
    if CouncilTemplate.objects.filter(key=key).exists():
        raise Conflict(f"The council already has a template '{key}'.")
    fields = clean_template_fields(
        name=name, description=description, audience=audience, subject=subject, body=body
    )
    return CouncilTemplate.objects.create(key=key, created_by=actor, updated_by=actor, **fields)


@transaction.atomic
def template_update(
    *,
    actor: User,
    key: str,
    name: str = _UNSET,
    description: str = _UNSET,
    subject: str = _UNSET,
    body: str = _UNSET,
) -> CouncilTemplate:
    """Change the council's own template or copy. A shared template must be copied first, so
    nobody edits the central body's version by accident."""
    assert_council_writable()
    _require_keeper(actor)
    template = CouncilTemplate.objects.select_for_update().filter(key=key).first()
    if template is None:
        if SharedTemplate.objects.filter(key=key).exists():
            raise Conflict(
                f"'{key}' is the shared template; copy it first (POST "
                f"/api/v1/templates/{key}/copy/), then change the council's copy."
            )
        raise NotFound(f"No template '{key}'.")
    fields = clean_template_fields(
        name=template.name if name is _UNSET else name,
        description=template.description if description is _UNSET else description,
        audience=template.audience,
        subject=template.subject if subject is _UNSET else subject,
        body=template.body if body is _UNSET else body,
    )
    changed = [f for f, v in fields.items() if getattr(template, f) != v]
    if not changed:
        return template
    for field in changed:
        setattr(template, field, fields[field])
    template.updated_by = actor
    template.save(update_fields=[*changed, "updated_by", "updated_at"])
    return template


@transaction.atomic
def template_delete(*, actor: User, key: str) -> None:
    """Remove the council's template: a copy goes back to the shared version; a council-only
    template is gone."""
    assert_council_writable()
    _require_keeper(actor)
    deleted, _ = CouncilTemplate.objects.filter(key=key).delete()
    if not deleted:
        if SharedTemplate.objects.filter(key=key).exists():
            raise Conflict(f"'{key}' is the shared template; the council has no copy to remove.")
        raise NotFound(f"No template '{key}'.")

"""Writes to the shared templates: only central body staff, on the platform (public schema)."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.db.models import F

from accounts.models import User
from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.tenancy import in_public_schema
from correspondence.rendering.sandbox import template_check
from correspondence.shared.models import Audience, SharedTemplate
from correspondence.shared.selectors import shared_template_get
from correspondence.shared.standard import STANDARD_TEMPLATES

KEY_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_UNSET: Any = object()


def _require_central(actor: User) -> None:
    if not (actor.is_active and actor.role == User.Role.CENTRAL and in_public_schema()):
        raise PermissionDenied("Only central body staff keep the shared templates.")


def clean_template_fields(
    *, name: str, description: str, audience: str, subject: str, body: str
) -> dict[str, str]:
    """Validate a template's fields (merge fields checked by the sandbox); shared with the
    councils' own templates."""
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = ["A template needs a name."]
    elif len(name) > 120:
        errors["name"] = ["At most 120 characters."]
    description = " ".join((description or "").split())
    if len(description) > 300:
        errors["description"] = ["At most 300 characters."]
    if audience not in Audience.values:
        errors["audience"] = [f"Choose one of: {', '.join(Audience.values)}."]
    if errors:
        raise ValidationFailed("The template has errors; see fields.", extra=errors)
    subject = (subject or "").strip()
    body = (body or "").replace("\r\n", "\n").strip() + "\n"
    template_check(subject=subject, body=body)
    return {
        "name": name,
        "description": description,
        "audience": audience,
        "subject": subject,
        "body": body,
    }


def clean_key(key: str) -> str:
    key = (key or "").strip().lower()
    if not KEY_RE.match(key) or len(key) > 50:
        raise ValidationFailed(
            "A template key is lower-case words joined by hyphens, e.g. planning-update.",
            extra={"key": ["Lower-case words joined by hyphens, at most 50 characters."]},
        )
    return key


@transaction.atomic
def shared_template_create(
    *,
    actor: User,
    key: str,
    name: str,
    audience: str,
    subject: str,
    body: str,
    description: str = "",
) -> SharedTemplate:
    _require_central(actor)
    key = clean_key(key)
    if SharedTemplate.objects.filter(key=key).exists():
        raise Conflict(f"A shared template '{key}' already exists.")
    fields = clean_template_fields(
        name=name, description=description, audience=audience, subject=subject, body=body
    )
    return SharedTemplate.objects.create(key=key, updated_by=actor.email, **fields)


@transaction.atomic
def shared_template_update(
    *,
    actor: User,
    key: str,
    name: str = _UNSET,
    description: str = _UNSET,
    subject: str = _UNSET,
    body: str = _UNSET,
) -> SharedTemplate:
    """Change a shared template. Councils using it get the change; councils with their own
    copy keep their copy (they can see the shared one moved on: its version goes up)."""
    _require_central(actor)
    template = SharedTemplate.objects.select_for_update().get(pk=shared_template_get(key=key).pk)
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
    template.updated_by = actor.email
    template.version = F("version") + 1
    template.save(update_fields=[*changed, "version", "updated_by", "updated_at"])
    template.refresh_from_db(fields=["version"])
    return template


def shared_templates_ensure_standard() -> int:
    """Create any standard template that is missing (idempotent; edits are kept).
    Returns how many were created."""
    created = 0
    for spec in STANDARD_TEMPLATES:
        _, made = SharedTemplate.objects.get_or_create(
            key=spec["key"], defaults={**spec, "is_standard": True, "updated_by": "platform"}
        )
        created += int(made)
    return created

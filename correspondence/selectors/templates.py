"""The templates a council uses: its own copies and templates, else the shared ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from accounts.models import User
from core.errors import NotFound, PermissionDenied
from correspondence.models import CouncilTemplate
from correspondence.shared.models import SharedTemplate


@dataclass(frozen=True)
class EffectiveTemplate:
    """A template as this council uses it.

    `source` is "shared" (the central body's, used as is), "copy" (the council's copy of a
    shared template, which replaces it here) or "council" (a template only this council has).
    """

    key: str
    name: str
    description: str
    audience: str
    subject: str
    body: str
    source: str
    shared_version: int | None
    based_on_version: int | None
    council_template_id: int | None
    updated_at: datetime

    @property
    def shared_changed_since_copy(self) -> bool:
        return (
            self.source == "copy"
            and self.shared_version is not None
            and self.based_on_version is not None
            and self.shared_version > self.based_on_version
        )


def _require_member(user: User) -> None:
    if not (getattr(user, "is_authenticated", False) and user.is_active) or (
        user.role == User.Role.CENTRAL
    ):
        raise PermissionDenied("Only this council's users see its templates.")


def _from_shared(t: SharedTemplate) -> EffectiveTemplate:
    return EffectiveTemplate(
        key=t.key,
        name=t.name,
        description=t.description,
        audience=t.audience,
        subject=t.subject,
        body=t.body,
        source="shared",
        shared_version=t.version,
        based_on_version=None,
        council_template_id=None,
        updated_at=t.updated_at,
    )


def _from_council(t: CouncilTemplate, shared: SharedTemplate | None) -> EffectiveTemplate:
    return EffectiveTemplate(
        key=t.key,
        name=t.name,
        description=t.description,
        audience=t.audience,
        subject=t.subject,
        body=t.body,
        source="copy" if t.is_copy else "council",
        shared_version=shared.version if shared is not None and t.is_copy else None,
        based_on_version=t.based_on_version,
        council_template_id=t.pk,
        updated_at=t.updated_at,
    )


def template_list_effective(*, user: User) -> list[EffectiveTemplate]:
    """Every template this council uses, by name: two queries whatever the number."""
    _require_member(user)
    shared = {t.key: t for t in SharedTemplate.objects.all()}
    own = {t.key: t for t in CouncilTemplate.objects.all()}
    result = [_from_council(t, shared.get(key)) for key, t in own.items()]
    result += [_from_shared(t) for key, t in shared.items() if key not in own]
    return sorted(result, key=lambda t: (t.name.lower(), t.key))


def template_get_effective(*, user: User, key: str) -> EffectiveTemplate:
    _require_member(user)
    own = CouncilTemplate.objects.filter(key=key).first()
    shared = SharedTemplate.objects.filter(key=key).first()
    if own is not None:
        return _from_council(own, shared)
    if shared is not None:
        return _from_shared(shared)
    raise NotFound(f"No template '{key}'.")


def template_get_shared_original(*, user: User, key: str) -> SharedTemplate | None:
    """The central body's version behind a council copy (to compare with), if any."""
    _require_member(user)
    return SharedTemplate.objects.filter(key=key).first()

"""A council admin's day-to-day export, as one JSON document, in any licence state.

It holds the council's settings, users, officers, templates and statistics, never its
casework: cases, constituents, letters, emails, attachments and officer-reply links stay out,
because taking casework away is a data exit that one admin must not do alone (issue 14).
The models it may carry are listed here by name (ADMIN_EXPORT_MODELS), so a model added
later is left out until someone decides it is not casework; every other tenant model appears
only as a row count under "statistics". Secrets never leave: password hashes, API tokens,
second-factor keys and sessions are skipped.

The document is streamed a model at a time, reading rows in chunks, so a large council does
not need the whole export in memory. One query per model.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django_tenants.utils import schema_context

from audit.models import AuditAction
from audit.services import Person, audit_record

EXCLUDED_MODELS = frozenset(
    {
        "contenttypes.contenttype",
        "auth.permission",
        "sessions.session",
        "admin.logentry",
        "knox.authtoken",
    }
)
# Fields that hold credentials anywhere they appear.
EXCLUDED_FIELD_NAMES = frozenset(
    {"password", "digest", "token_key", "salt", "session_key", "session_data", "secret"}
)
CHUNK_SIZE = 2000
# Settings, users, officers and templates: what an admin runs the council with. Anything that
# names a constituent or tells a case's story is not here.
ADMIN_EXPORT_MODELS = (
    "accounts.user",
    "accounts.signinpolicy",
    "auth.group",
    "caseload.caseloadsettings",
    "caseload.ward",
    "caseload.postcodeward",
    "caseload.category",
    "caseload.councilholiday",
    "caseload.delegation",
    "caseload.officer",
    "correspondence.correspondencesettings",
    "correspondence.counciltemplate",
    "reminders.bfrule",
)


def _app_label(entry: str) -> str:
    for config in apps.get_app_configs():
        if config.name == entry:
            return config.label
    return entry.rsplit(".", 1)[-1]


def tenant_models() -> list[type[models.Model]]:
    """The tenant models that hold a council's own data, in a stable order."""
    chosen: list[type[models.Model]] = []
    for entry in dict.fromkeys(settings.TENANT_APPS):
        config = apps.get_app_config(_app_label(entry))
        for model in config.get_models():
            if model._meta.label_lower in EXCLUDED_MODELS or model._meta.proxy:
                continue
            chosen.append(model)
    return chosen


def _exported_fields(model: type[models.Model]) -> list[str]:
    names = []
    for field in model._meta.concrete_fields:
        lowered = field.name.lower()
        if lowered in EXCLUDED_FIELD_NAMES or "token" in lowered or "secret" in lowered:
            continue
        names.append(field.attname)
    return names


def export_models() -> list[type[models.Model]]:
    """The models whose rows the day-to-day export carries, in a stable order."""
    allowed = set(ADMIN_EXPORT_MODELS)
    return [model for model in tenant_models() if model._meta.label_lower in allowed]


def counted_models() -> list[type[models.Model]]:
    """The models the day-to-day export only counts: casework and activity."""
    allowed = set(ADMIN_EXPORT_MODELS)
    return [model for model in tenant_models() if model._meta.label_lower not in allowed]


def council_export_record(*, actor: Person, council_slug: str) -> None:
    """Write the export to the council's audit log (who took it, when, from where): in the
    request, before the first byte is sent."""
    audit_record(
        action=AuditAction.EXPORTED,
        actor=actor,
        summary="Downloaded the council's admin export (settings, users, officers, "
        "templates, statistics; no casework)",
        detail={
            "export": "admin",
            "council": council_slug,
            "models": [m._meta.label_lower for m in export_models()],
        },
    )


def council_export_chunks(
    *, council_slug: str, schema_name: str, licence_state: str
) -> Iterator[str]:
    """Yield the export of the council in `schema_name` as JSON text, piece by piece.

    The schema is set here rather than taken from the connection, because a streamed
    response is read after the request's middleware has finished.
    """
    with schema_context(schema_name):
        yield from _chunks(council_slug, schema_name, licence_state)


class _ExportEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, plus binary fields (the letterhead's logo) as base64 text: a
    streamed export that met one would otherwise break off mid-response."""

    def default(self, o: Any) -> Any:
        if isinstance(o, bytes | memoryview):
            return base64.b64encode(bytes(o)).decode("ascii")
        return super().default(o)


def _chunks(council_slug: str, schema_name: str, licence_state: str) -> Iterator[str]:
    encoder = _ExportEncoder()
    header = {
        "council": council_slug,
        "schema": schema_name,
        "exported_at": timezone.now(),
        "licence_state": licence_state,
        "format": "caseload-admin-export/2",
    }
    yield encoder.encode(header)[:-1] + ', "models": {'
    for index, model in enumerate(export_models()):
        fields = _exported_fields(model)
        prefix = ", " if index else ""
        label = json.dumps(model._meta.label_lower)
        yield f'{prefix}{label}: {{"fields": {json.dumps(fields)}, "rows": ['
        # The base manager: a custom default manager might hide rows (e.g. archived ones).
        rows = model._base_manager.order_by("pk").values_list(*fields).iterator(CHUNK_SIZE)
        first = True
        batch: list[str] = []
        for row in rows:
            batch.append(("" if first else ",") + encoder.encode(list(row)))
            first = False
            if len(batch) >= CHUNK_SIZE:
                yield "".join(batch)
                batch = []
        if batch:
            yield "".join(batch)
        yield "]}"
    # One count per model: the size of the casework without any of its content.
    statistics = {
        model._meta.label_lower: model._base_manager.count() for model in counted_models()
    }
    yield "}, " + json.dumps("statistics") + ": " + encoder.encode(statistics) + "}"

"""The central body imports a data-exit archive (dataexit.archive) as a new council, on
this platform instance or another one running the same archive format (issue 15).

The council is provisioned as any other (`council_provision`), then, in one transaction in
its new schema, the rows the fresh schema was given are replaced by the archive's: every
model's rows keep their ids (so every foreign key, many-to-many link and reference holds as
it was), and their timestamps; files are written back to the council's storage; sequences
move past the highest id; case search vectors are rebuilt. Foreign keys are checked at
commit (PostgreSQL's deferred constraints), so the order of models does not matter.

What cannot come back: passwords (never exported), so every imported user must set one
through "forgot password" (or an admin's invite); second factors likewise. The audit log's
entries are appended after the new council's own (their ids are new; their times kept).
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django_tenants.utils import schema_context

from accounts.models import User
from caseload.models import Case
from caseload.services import case_refresh_search_vector
from console.services.provisioning import council_provision
from core.errors import ValidationFailed
from dataexit.archive import archive_models, read_manifest
from tenants.models import Council

# Appended, never replaced: the table refuses DELETE and TRUNCATE (append-only).
APPEND_ONLY = frozenset({"audit.auditentry"})
INSERT_BATCH = 1000


@dataclass
class ImportResult:
    council: Council
    counts: dict[str, int] = field(default_factory=dict)
    files: int = 0


@contextmanager
def _timestamps_kept(model_list: list[type[models.Model]]) -> Iterator[None]:
    """Turn off auto_now / auto_now_add while importing, so created_at and updated_at keep
    the archive's values (restored afterwards, also on error)."""
    saved: list[tuple[models.Field, bool, bool]] = []
    for model in model_list:
        for f in model._meta.concrete_fields:
            if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, now_add in saved:
            f.auto_now, f.auto_now_add = now, now_add  # type: ignore[attr-defined]


def council_import(
    *, source: IO[bytes], slug: str, name: str | None = None, actor: str = "import"
) -> ImportResult:
    """Provision council `slug` and load the archive in `source` (a seekable binary file)
    into it. Refuses an archive whose format, version or checksums do not match, or that
    names a model this instance does not have, before anything is created."""
    try:
        manifest = read_manifest(source)
    except (ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise ValidationFailed(f"Not a valid data-exit archive: {exc}") from exc
    known = {m._meta.label_lower: m for m in archive_models()}
    unknown = sorted(set(manifest["models"]) - set(known))
    if unknown:
        raise ValidationFailed(
            "The archive holds records this platform does not have: " + ", ".join(unknown)
        )
    source.seek(0)
    with zipfile.ZipFile(source) as zf:
        councillors = _count_active_councillors(zf, manifest)
        with transaction.atomic():
            council = council_provision(
                slug=slug,
                name=name or manifest["council"]["name"],
                seats=max(10, councillors),
                actor=actor,
            ).council
            with schema_context(council.schema_name):
                result = _load(zf, manifest, known, council)
    return result


def _count_active_councillors(zf: zipfile.ZipFile, manifest: dict[str, Any]) -> int:
    entry = manifest["models"].get("accounts.user")
    if entry is None:
        return 0
    body = json.loads(zf.read(entry["file"]))
    role, active = body["fields"].index("role"), body["fields"].index("is_active")
    return sum(1 for row in body["rows"] if row[role] == "councillor" and row[active])


def _load(
    zf: zipfile.ZipFile,
    manifest: dict[str, Any],
    known: dict[str, type[models.Model]],
    council: Council,
) -> ImportResult:
    result = ImportResult(council=council)
    chosen = [known[label] for label in manifest["models"]]
    replaced = [m for m in chosen if m._meta.label_lower not in APPEND_ONLY]
    tables = [m._meta.db_table for m in replaced]
    tables += [
        f.remote_field.through._meta.db_table  # type: ignore[union-attr]
        for m in replaced
        for f in m._meta.many_to_many
        if isinstance(f, models.ManyToManyField)
    ]
    with connection.cursor() as cursor:
        # What provisioning put in the fresh schema (its first rows, defaults) makes way,
        # with what refers to it (sessions, tokens: none yet in a council just made). The
        # audit log has no foreign keys, so CASCADE never reaches it.
        cursor.execute(
            "TRUNCATE " + ", ".join(connection.ops.quote_name(t) for t in tables) + " CASCADE"
        )
    with _timestamps_kept(chosen):
        for model in chosen:
            result.counts[model._meta.label_lower] = _load_model(zf, manifest, model, result)
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), replaced):
            cursor.execute(statement)
    case_ids = list(Case.objects.values_list("pk", flat=True))
    for start in range(0, len(case_ids), 1000):
        case_refresh_search_vector(case_ids=case_ids[start : start + 1000])
    return result


def _load_model(
    zf: zipfile.ZipFile,
    manifest: dict[str, Any],
    model: type[models.Model],
    result: ImportResult,
) -> int:
    label = model._meta.label_lower
    body = json.loads(zf.read(manifest["models"][label]["file"]))
    fields = {f.attname: f for f in model._meta.concrete_fields}
    m2m = {f.name: f for f in model._meta.many_to_many if isinstance(f, models.ManyToManyField)}
    append_only = label in APPEND_ONLY
    objects: list[models.Model] = []
    links: dict[str, list[tuple[Any, Any]]] = {name: [] for name in m2m}
    for row in body["rows"]:
        values: dict[str, Any] = {}
        for column, value in zip(body["fields"], row, strict=True):
            if column in m2m:
                links[column] += [(row[body["fields"].index("id")], other) for other in value]
                continue
            f = fields.get(column)
            if f is None:
                raise ValidationFailed(f"{label} has no field {column!r} on this platform.")
            if append_only and f.primary_key:
                continue
            if isinstance(f, models.FileField):
                value = _restore_file(zf, f, value, label, result)
            elif isinstance(f, models.BinaryField):
                value = zf.read(value) if value else b""
                result.files += 1 if value else 0
            values[column] = value
        if model is User:
            values.setdefault("password", make_password(None))  # must set a new one
        objects.append(model(**values))
    model._base_manager.bulk_create(objects, batch_size=INSERT_BATCH)
    for name, pairs in links.items():
        f = m2m[name]
        through = f.remote_field.through
        assert through is not None
        source, target = f.m2m_field_name() + "_id", f.m2m_reverse_field_name() + "_id"
        through._default_manager.bulk_create(
            [through(**{source: left, target: right}) for left, right in pairs],
            batch_size=INSERT_BATCH,
        )
    return len(objects)


def _restore_file(
    zf: zipfile.ZipFile, f: models.FileField, path: str, label: str, result: ImportResult
) -> str:
    """Write an archived file into the new council's storage under its old name."""
    if not path:
        return ""
    prefix = f"files/{label}/"
    if not path.startswith(prefix) or path.endswith(".missing"):
        return ""  # missing at export time: the row stays, without a file
    stored = f.storage.save(path.removeprefix(prefix), ContentFile(zf.read(path)))
    result.files += 1
    return stored

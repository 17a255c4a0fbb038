"""The data-exit archive: its format, and the writer. No permissions, no requests, no
statuses here: `dataexit.services` decides who may build one; an importer (issue 15) reads
the same format (`FORMAT`, `FORMAT_VERSION`, `manifest.json`).

The archive is a zip:

- `manifest.json`: format and version, the council (slug, name, schema), when it was made,
  per model its JSON file, row count and fields, and per file in the archive its size and
  SHA-256 (every file but the manifest itself);
- `data/<app>.<model>.json`: one per model, `{"model", "fields", "rows"}`, each row a list
  of values in `fields` order; foreign keys as ids (`owner_id`), many-to-many fields as
  lists of ids, file fields as the path of the file inside the archive (or "");
- `csv/cases.csv`, `csv/constituents.csv`, `csv/actions.csv`, `csv/referrals.csv`: the
  same casework with names instead of ids, for a spreadsheet (formulas neutralised);
- `files/<app>.<model>/<stored name>`: the files themselves (attachments, letters, raw
  inbound mail, email attachments).

Left out: credentials (password hashes, API tokens, second-factor keys, sessions,
lockout records), officer-reply link secrets and, in every text, the officer-reply links
themselves (they work without signing in), search vectors (derived), and Django's own
tables. See EXCLUDED_MODELS and `exported_fields`.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import IO, Any

from django.contrib.postgres.search import SearchVectorField
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from billing.export import EXCLUDED_FIELD_NAMES, tenant_models
from core.csv_writer import csv_writer

FORMAT = "caseload-data-exit"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNK_SIZE = 2000

# Never in an archive: Django's bookkeeping, credentials, lockout records, the secrets
# behind officers' reply links, and the data exits themselves.
EXCLUDED_MODELS = frozenset(
    {
        "contenttypes.contenttype",
        "auth.permission",
        "sessions.session",
        "admin.logentry",
        "knox.authtoken",
        "correspondence.referrallink",
        "dataexit.dataexit",
    }
)
EXCLUDED_APPS = frozenset({"axes", "otp_totp", "otp_static", "django_otp"})
# An officer-reply link works without signing in until it expires: never hand one out.
REPLY_LINK = re.compile(r"https?://[^\s\"'<>]*/officer-reply/[^\s\"'<>]+")
REPLY_LINK_REMOVED = "[officer reply link removed]"


class ArchiveJSONEncoder(DjangoJSONEncoder):
    """Django's encoder, but datetimes and times to the microsecond (Django's cuts them to
    milliseconds), so an imported council keeps exactly the times it had."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime | time):
            return o.isoformat()
        return super().default(o)


def archive_models() -> list[type[models.Model]]:
    """The tenant models an archive carries, in a stable order."""
    return [
        model
        for model in tenant_models()
        if model._meta.label_lower not in EXCLUDED_MODELS
        and model._meta.app_label not in EXCLUDED_APPS
    ]


def exported_fields(model: type[models.Model]) -> list[models.Field]:
    chosen = []
    for f in model._meta.concrete_fields:
        lowered = f.name.lower()
        if lowered in EXCLUDED_FIELD_NAMES or "token" in lowered or "secret" in lowered:
            continue
        if isinstance(f, SearchVectorField):
            continue
        chosen.append(f)
    return chosen


def _m2m_fields(model: type[models.Model]) -> list[models.ManyToManyField]:
    return [f for f in model._meta.many_to_many if isinstance(f, models.ManyToManyField)]


def _clean_text(value: Any) -> Any:
    if isinstance(value, str) and "/officer-reply/" in value:
        return REPLY_LINK.sub(REPLY_LINK_REMOVED, value)
    if isinstance(value, dict):
        return {k: _clean_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_text(v) for v in value]
    return value


def file_path_in_archive(model: type[models.Model], stored_name: str) -> str:
    return f"files/{model._meta.label_lower}/{stored_name}"


def _file_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f for f in exported_fields(model) if isinstance(f, models.FileField | models.BinaryField)
    ]


def count_steps() -> int:
    """How many steps a build takes: one per model, one per file, and the CSVs."""
    steps = len(CSV_SHEETS) + 1
    for model in archive_models():
        steps += 1
        for f in _file_fields(model):
            if isinstance(f, models.FileField):
                steps += model._base_manager.exclude(**{f.name: ""}).count()
            else:
                steps += model._base_manager.count()
    return steps


@dataclass
class _Zip:
    """A zip being written, keeping each member's size and SHA-256 for the manifest."""

    zf: zipfile.ZipFile
    files: dict[str, dict[str, Any]] = field(default_factory=dict)

    def write_bytes(self, name: str, data: bytes) -> None:
        self.zf.writestr(name, data)
        self.files[name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}

    def write_stream(self, name: str, source: IO[bytes]) -> None:
        digest = hashlib.sha256()
        size = 0
        with self.zf.open(name, "w", force_zip64=True) as out:
            for chunk in iter(lambda: source.read(1024 * 1024), b""):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        self.files[name] = {"bytes": size, "sha256": digest.hexdigest()}


@dataclass(frozen=True)
class Council:
    slug: str
    name: str
    schema: str


def write_archive(
    out: IO[bytes],
    *,
    council: Council,
    progress: Callable[[int], None] = lambda done: None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Write the archive of the council whose schema the connection is in to `out` (a
    binary file opened for writing); returns the manifest. `progress(steps_done)` is
    called as it goes (count_steps() gives the total)."""
    encoder = ArchiveJSONEncoder()
    done = 0
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "council": {"slug": council.slug, "name": council.name, "schema": council.schema},
        "created_at": (now or timezone.now()).isoformat(),
        "models": {},
        "csv": [],
        "files": {},
    }
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        archive = _Zip(zf)
        for model in archive_models():
            label = model._meta.label_lower
            fields = exported_fields(model)
            m2m = _m2m_fields(model)
            names = [f.attname for f in fields] + [f.name for f in m2m]
            links = _m2m_values(model, m2m)
            rows: list[list[Any]] = []
            queryset = model._base_manager.order_by("pk")
            for obj in queryset.iterator(CHUNK_SIZE):
                row: list[Any] = []
                for f in fields:
                    value = getattr(obj, f.attname)
                    if isinstance(f, models.FileField):
                        value = _copy_file(archive, model, value)
                        if value:
                            done += 1
                            progress(done)
                    elif isinstance(f, models.BinaryField):
                        path = file_path_in_archive(model, f"{obj.pk}-{f.name}")
                        archive.write_bytes(path, bytes(value or b""))
                        value = path
                        done += 1
                        progress(done)
                    row.append(_clean_text(value))
                for f in m2m:
                    row.append(sorted(links[f.name].get(obj.pk, [])))
                rows.append(row)
            path = f"data/{label}.json"
            body = {"model": label, "fields": names, "rows": rows}
            archive.write_bytes(path, encoder.encode(body).encode())
            manifest["models"][label] = {"file": path, "count": len(rows), "fields": names}
            done += 1
            progress(done)
        for name, sheet in CSV_SHEETS.items():
            path = f"csv/{name}.csv"
            archive.write_bytes(path, _csv_bytes(sheet()))
            manifest["csv"].append(path)
            done += 1
            progress(done)
        manifest["files"] = dict(sorted(archive.files.items()))
        zf.writestr(MANIFEST, json.dumps(manifest, indent=2, cls=ArchiveJSONEncoder))
    done += 1
    progress(done)
    return manifest


def _m2m_values(
    model: type[models.Model], m2m: list[models.ManyToManyField]
) -> dict[str, dict[Any, list[Any]]]:
    """Per many-to-many field, {object id: [related ids]}: one query per field."""
    values: dict[str, dict[Any, list[Any]]] = {}
    for f in m2m:
        through = f.remote_field.through
        assert through is not None  # Django fills it in when the models load
        source = f.m2m_column_name()
        target = f.m2m_reverse_name()
        links: dict[Any, list[Any]] = {}
        for left, right in through._default_manager.values_list(source, target).iterator():
            links.setdefault(left, []).append(right)
        values[f.name] = links
    return values


def _copy_file(archive: _Zip, model: type[models.Model], value: Any) -> str:
    """Copy a stored file into the archive; its path there (or "" if there is none)."""
    if not value or not value.name:
        return ""
    path = file_path_in_archive(model, value.name)
    try:
        with value.storage.open(value.name, "rb") as source:
            archive.write_stream(path, source)
    except FileNotFoundError:
        # The row outlived its file (removed by hand): say so rather than fail the exit.
        archive.write_bytes(path + ".missing", b"The file was not found in storage.\n")
        return path + ".missing"
    return path


def _csv_bytes(rows: Iterable[Iterable[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerows(rows)
    # With a byte-order mark, so Excel opens the UTF-8 as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode()


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _cases_sheet() -> Iterator[list[Any]]:
    from caseload.models import Case

    yield [
        "Reference", "Title", "Status", "Outcome", "Priority", "Category", "Ward",
        "Councillor", "Constituent", "Sharing", "Opened", "Closed", "Description",
    ]  # fmt: skip
    queryset = Case.objects.select_related("category", "ward", "owner", "constituent")
    for c in queryset.order_by("pk").iterator(CHUNK_SIZE):
        yield [
            c.reference, c.title, c.get_status_display(), c.get_outcome_display(),
            c.get_priority_display(), c.category.name if c.category else "",
            c.ward.name if c.ward else "", c.owner.name, c.constituent.name,
            c.get_sharing_display(), _when(c.opened_at), _when(c.closed_at), c.description,
        ]  # fmt: skip


def _constituents_sheet() -> Iterator[list[Any]]:
    from caseload.models import Constituent

    yield [
        "Id", "Name", "Address", "Postcode", "Ward", "Phone", "Email", "Preferred contact",
        "Consent to share", "Consent date", "Councillor", "Notes",
    ]  # fmt: skip
    queryset = Constituent.objects.select_related("ward", "owner")
    for p in queryset.order_by("pk").iterator(CHUNK_SIZE):
        yield [
            p.pk, p.name, p.address, p.postcode, p.ward.name if p.ward else "", p.phone,
            p.email, p.get_preferred_contact_display(), "yes" if p.consent_to_share else "no",
            p.consent_date.isoformat() if p.consent_date else "", p.owner.name, p.notes,
        ]  # fmt: skip


def _actions_sheet() -> Iterator[list[Any]]:
    from caseload.models import Action

    yield ["Case", "When", "Kind", "By", "On behalf of", "Minutes", "Text"]
    queryset = Action.objects.select_related("case", "author", "on_behalf_of")
    for a in queryset.order_by("pk").iterator(CHUNK_SIZE):
        yield [
            a.case.reference, _when(a.occurred_at), a.get_kind_display(), a.author.name,
            a.on_behalf_of.name if a.on_behalf_of else "", a.time_spent_minutes or "",
            _clean_text(a.text),
        ]  # fmt: skip


def _referrals_sheet() -> Iterator[list[Any]]:
    from caseload.models import Referral

    yield [
        "Case", "Officer", "Officer email", "Sent", "Working days", "Target date", "Replied",
        "On time", "Note",
    ]  # fmt: skip
    queryset = Referral.objects.select_related("case", "officer")
    for r in queryset.order_by("pk").iterator(CHUNK_SIZE):
        on_time = "" if r.target_met is None else ("yes" if r.target_met else "no")
        yield [
            r.case.reference, r.officer.name, r.officer.email, _when(r.sent_at),
            r.working_days, r.target_date.isoformat(), _when(r.replied_at), on_time,
            _clean_text(r.note),
        ]  # fmt: skip


CSV_SHEETS: dict[str, Callable[[], Iterable[list[Any]]]] = {
    "cases": _cases_sheet,
    "constituents": _constituents_sheet,
    "actions": _actions_sheet,
    "referrals": _referrals_sheet,
}


def read_manifest(source: IO[bytes]) -> dict[str, Any]:
    """The manifest of an archive, checked: its format and version, and every file's
    SHA-256. Raises ValueError on anything else (for an importer)."""
    with zipfile.ZipFile(source) as zf:
        manifest = json.loads(zf.read(MANIFEST))
        if manifest.get("format") != FORMAT:
            raise ValueError("Not a caseload data-exit archive.")
        if manifest.get("format_version") != FORMAT_VERSION:
            raise ValueError(
                f"Archive format version {manifest.get('format_version')} is not {FORMAT_VERSION}."
            )
        for name, meta in manifest["files"].items():
            digest = hashlib.sha256()
            with zf.open(name) as member:
                while chunk := member.read(1024 * 1024):
                    digest.update(chunk)
            if digest.hexdigest() != meta["sha256"]:
                raise ValueError(f"{name} does not match its SHA-256 in the manifest.")
    return manifest

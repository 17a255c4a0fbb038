"""Writes for the council's wards and its postcode-to-ward table (admins)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from caseload.models import (
    Action,
    PostcodeUpload,
    PostcodeWard,
    Ward,
)
from caseload.normalise import is_valid_postcode, normalise_postcode
from caseload.services.permissions import (
    assert_council_writable,
    require_admin,
)
from caseload.uploads import csv_column, csv_text
from core.errors import Conflict, ValidationFailed

_WARD_CODE_RE = re.compile(r"^[A-Z]\d{8}$")


def _clean_ward(name: str, code: str | None) -> tuple[str, str | None]:
    name = " ".join((name or "").split())
    errors = {}
    if not name or len(name) > 200:
        errors["name"] = ["A ward name is 1-200 characters."]
    code = (code or "").strip().upper() or None
    if code and not _WARD_CODE_RE.match(code):
        errors["code"] = ["An ONS ward code is a letter and 8 digits, e.g. S13002887."]
    if errors:
        raise ValidationFailed("The ward has errors; see fields.", extra=errors)
    return name, code


@transaction.atomic
def ward_create(*, actor: User, name: str, code: str | None = None) -> Ward:
    """Add a ward (admins). Councillors are matched to wards by name."""
    assert_council_writable()
    require_admin(actor)
    name, code = _clean_ward(name, code)
    if Ward.objects.filter(name__iexact=name).exists():
        raise Conflict(f"There is already a ward called '{name}'.")
    if code and Ward.objects.filter(code=code).exists():
        raise Conflict(f"Ward code {code} is already used.")
    return Ward.objects.create(name=name, code=code)


@transaction.atomic
def ward_update(
    *,
    actor: User,
    ward: Ward,
    name: str | None = None,
    code: str | None = None,
    is_current: bool | None = None,
) -> Ward:
    assert_council_writable()
    require_admin(actor)
    new_name, new_code = _clean_ward(
        ward.name if name is None else name, ward.code if code is None else code
    )
    if Ward.objects.filter(name__iexact=new_name).exclude(pk=ward.pk).exists():
        raise Conflict(f"There is already a ward called '{new_name}'.")
    if new_code and Ward.objects.filter(code=new_code).exclude(pk=ward.pk).exists():
        raise Conflict(f"Ward code {new_code} is already used.")
    ward.name, ward.code = new_name, new_code
    if is_current is not None:
        ward.is_current = is_current
    ward.save(update_fields=["name", "code", "is_current", "updated_at"])
    return ward


# Accepted columns (header names, any case). The ONS Postcode Directory's own names come
# first; `wdNNcd`/`wdNNnm` are the ONS ward names-and-codes file's (e.g. WD24CD, WD24NM).
POSTCODE_COLUMNS = ("pcds", "pcd", "pcd7", "pcd8", "postcode")
WARD_CODE_COLUMNS = ("osward", "ward_code", "wardcode", "wdcd")
WARD_NAME_COLUMNS = ("wardnm", "osward_name", "osward_nm", "ward_name", "wardname", "wdnm")
_MAX_REPORTED_ERRORS = 100


@dataclass
class PostcodeUploadResult:
    upload: PostcodeUpload
    rows_loaded: int
    rows_rejected: int
    wards_created: int
    open_cases_rederived: int
    errors: list[dict[str, Any]] = field(default_factory=list)


@transaction.atomic
def postcode_table_upload(
    *, actor: User, file: IO[bytes] | IO[str], filename: str = ""
) -> PostcodeUploadResult:
    """Replace the council's postcode-to-ward table from an ONS Postcode Directory CSV.

    Columns: a postcode (`pcds`, or pcd/pcd7/pcd8/postcode), the ward code (`osward`, or
    ward_code/wdNNcd) and optionally the ward name (`wardnm`, ward_name or wdNNnm). Other
    columns are ignored, so the ONS file can be uploaded as published (cut to the council's
    area). Rows without a valid postcode or ward code are reported and skipped; a file with
    no valid row changes nothing.

    Wards are matched by code, then by name; new codes become new wards. Wards no longer in
    the table are marked not current. Constituents and every case that is not closed take
    the ward of their postcode; each changed case gets an action. Closed cases keep theirs.
    """
    assert_council_writable()
    require_admin(actor)
    try:
        reader = csv.reader(csv_text(file))
        header = next(reader, None)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ValidationFailed(f"The file is not a readable UTF-8 CSV: {exc}.") from exc
    if not header:
        raise ValidationFailed("The file is empty.", extra={"file": ["Empty."]})
    pc_col = csv_column(header, POSTCODE_COLUMNS)
    code_col = csv_column(header, WARD_CODE_COLUMNS, r"wd\d{2}cd")
    name_col = csv_column(header, WARD_NAME_COLUMNS, r"wd\d{2}nm")
    if pc_col is None or code_col is None:
        raise ValidationFailed(
            "The CSV needs a postcode column (pcds) and a ward code column (osward); a ward "
            "name column (wardnm) is optional.",
            extra={"file": [f"Columns found: {', '.join(header[:20])}"]},
        )
    rows: dict[str, str] = {}
    names: dict[str, str] = {}
    errors: list[dict[str, Any]] = []
    rejected = 0
    try:
        for line, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            postcode = row[pc_col].strip() if len(row) > pc_col else ""
            code = row[code_col].strip().upper() if len(row) > code_col else ""
            problem = None
            if not is_valid_postcode(postcode):
                problem = f"'{postcode}' is not a postcode"
            elif not _WARD_CODE_RE.match(code):
                problem = f"'{code}' is not an ONS ward code"
            if problem:
                rejected += 1
                if len(errors) < _MAX_REPORTED_ERRORS:
                    errors.append({"row": line, "message": problem})
                continue
            rows[normalise_postcode(postcode)] = code
            if name_col is not None and len(row) > name_col and row[name_col].strip():
                names[code] = " ".join(row[name_col].split())[:200]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ValidationFailed(f"The file is not a readable UTF-8 CSV: {exc}.") from exc
    if not rows:
        raise ValidationFailed(
            "No valid rows: the table was left as it was.", extra={"rows": errors[:20]}
        )

    wards_by_code: dict[str, Ward] = {
        str(w.code): w for w in Ward.objects.filter(code__in=set(rows.values()))
    }
    created = 0
    for code in sorted(set(rows.values()) - set(wards_by_code)):
        name = names.get(code) or code
        same_name = Ward.objects.filter(name__iexact=name).first()
        if same_name is not None and same_name.code is None:
            same_name.code = code  # a ward made by hand (or by name) gets its ONS code
            same_name.is_current = True
            same_name.save(update_fields=["code", "is_current", "updated_at"])
            wards_by_code[code] = same_name
            continue
        if same_name is not None:
            # Boundary change reusing a name: the old ward keeps its cases under a
            # distinguishing name; councillors (matched by name) move to the new one.
            same_name.name = f"{same_name.name} (to {timezone.localdate():%Y}, {same_name.code})"[
                :200
            ]
            same_name.is_current = False
            same_name.save(update_fields=["name", "is_current", "updated_at"])
        wards_by_code[code] = Ward.objects.create(name=name, code=code)
        created += 1
    for code, ward in wards_by_code.items():
        if (
            code in names
            and names[code] != ward.name
            and not Ward.objects.filter(name__iexact=names[code]).exclude(pk=ward.pk).exists()
        ):
            ward.name = names[code]
            ward.save(update_fields=["name", "updated_at"])
    used_ids = {w.pk for w in wards_by_code.values()}
    Ward.objects.filter(code__isnull=False).exclude(pk__in=used_ids).update(is_current=False)
    Ward.objects.filter(pk__in=used_ids).update(is_current=True)

    PostcodeWard.objects.all().delete()
    PostcodeWard.objects.bulk_create(
        [PostcodeWard(postcode=pc, ward_id=wards_by_code[code].pk) for pc, code in rows.items()],
        batch_size=5000,
    )
    rederived = _rederive_wards(actor=actor)
    upload = PostcodeUpload.objects.create(
        uploaded_by=actor,
        filename=(filename or "")[:255],
        rows_loaded=len(rows),
        rows_rejected=rejected,
        wards_created=created,
        open_cases_rederived=rederived,
    )
    return PostcodeUploadResult(
        upload=upload,
        rows_loaded=len(rows),
        rows_rejected=rejected,
        wards_created=created,
        open_cases_rederived=rederived,
        errors=errors,
    )


def _rederive_wards(*, actor: User) -> int:
    """Point constituents and open cases at the ward of their postcode; one action per
    changed case. Closed cases are left as they were."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE caseload_constituent k SET ward_id = pw.ward_id, updated_at = now()
            FROM caseload_postcodeward pw
            WHERE pw.postcode = k.postcode_normalised AND k.ward_id IS DISTINCT FROM pw.ward_id
            """
        )
        cursor.execute(
            """
            WITH derived AS (
                SELECT c.id AS case_id, c.ward_id AS old_ward, pw.ward_id AS new_ward
                FROM caseload_case c
                JOIN caseload_constituent k ON k.id = c.constituent_id
                JOIN caseload_postcodeward pw ON pw.postcode = k.postcode_normalised
                WHERE c.status <> 'closed' AND c.ward_id IS DISTINCT FROM pw.ward_id
                FOR UPDATE OF c
            )
            UPDATE caseload_case c SET ward_id = d.new_ward, updated_at = now()
            FROM derived d WHERE c.id = d.case_id
            RETURNING c.id, c.owner_id, d.old_ward, d.new_ward
            """
        )
        changed = cursor.fetchall()
    if not changed:
        return 0
    ward_names = dict(Ward.objects.values_list("pk", "name"))
    now = timezone.now()
    Action.objects.bulk_create(
        [
            Action(
                case_id=case_id,
                kind=Action.Kind.UPDATE,
                text=(
                    f"Ward re-derived from the new postcode table: "
                    f"{ward_names.get(old, '—')} → {ward_names.get(new, '—')}"
                ),
                author=actor,
                on_behalf_of_id=owner_id,
                occurred_at=now,
                data={"changes": {"ward": [old, new]}, "via": "postcode_upload"},
            )
            for case_id, owner_id, old, new in changed
        ],
        batch_size=2000,
    )
    return len(changed)

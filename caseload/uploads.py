"""Reading the CSV files admins and staff upload (the postcode table, the officer list)."""

from __future__ import annotations

import io
import re
from typing import IO, cast


def csv_column(header: list[str], names: tuple[str, ...], pattern: str | None = None) -> int | None:
    """The index of the first column named one of `names` (any case), else of the first
    matching `pattern`; None when there is none."""
    lowered = [h.strip().lower() for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    if pattern:
        for index, h in enumerate(lowered):
            if re.fullmatch(pattern, h):
                return index
    return None


def csv_text(file: IO[bytes] | IO[str]) -> IO[str]:
    """An uploaded file as text from its start (UTF-8, with or without a byte-order mark)."""
    if hasattr(file, "seek"):
        file.seek(0)
    sample = file.read(0)
    if isinstance(sample, str):
        return file  # type: ignore[return-value]
    return io.TextIOWrapper(cast(IO[bytes], file), encoding="utf-8-sig", newline="")

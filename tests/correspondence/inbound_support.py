"""Loading the .eml fixtures with their placeholders filled in."""

from __future__ import annotations

from pathlib import Path

from tests.dkim_support import signed

MAIL_DIR = Path(__file__).parent / "mail"


def eml(name: str, sign: bool = True, **values: str) -> bytes:
    """The fixture with its placeholders filled, DKIM-signed by its From domain (as mail
    from a real provider is) unless `sign` is False: unsigned mail is never filed."""
    raw = (MAIL_DIR / f"{name}.eml").read_bytes()
    for key, value in values.items():
        raw = raw.replace(b"{{" + key.upper().encode() + b"}}", value.encode())
    assert b"{{" not in raw, f"unfilled placeholder in {name}.eml"
    return signed(raw) if sign else raw

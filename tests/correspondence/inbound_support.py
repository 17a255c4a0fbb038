"""Loading the .eml fixtures with their placeholders filled in."""

from __future__ import annotations

from pathlib import Path

MAIL_DIR = Path(__file__).parent / "mail"


def eml(name: str, **values: str) -> bytes:
    raw = (MAIL_DIR / f"{name}.eml").read_bytes()
    for key, value in values.items():
        raw = raw.replace(b"{{" + key.upper().encode() + b"}}", value.encode())
    assert b"{{" not in raw, f"unfilled placeholder in {name}.eml"
    return raw

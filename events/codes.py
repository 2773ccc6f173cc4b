"""Check-in codes: short, unambiguous, random; unique per event (raw index)."""

from __future__ import annotations

import secrets
import unicodedata

# No 0/O, 1/I/L: codes are read aloud and typed from a phone.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6


def new_checkin_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    """What a person typed, as stored: upper case, no spaces or dashes, full-width folded."""
    folded = unicodedata.normalize("NFKC", text or "").upper()
    return "".join(ch for ch in folded if ch.isalnum())

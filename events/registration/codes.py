"""Check-in codes: short, unambiguous, random; unique per event (raw index)."""

from __future__ import annotations

import secrets
import unicodedata

from core.errors import Conflict
from core.i18n import N_
from events.tables import Registration

# No 0/O, 1/I/L: codes are read aloud and typed from a phone.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6


def new_checkin_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    """What a person typed, as stored: upper case, no spaces or dashes, full-width folded."""
    folded = unicodedata.normalize("NFKC", text or "").upper()
    return "".join(ch for ch in folded if ch.isalnum())


async def unique_code(event_id: int) -> str:
    """A check-in code unused in this event (a clash is drawn again; codes are only given
    under the event lock, so the check holds until commit)."""
    for _ in range(20):
        code = new_checkin_code()
        if not await Registration.exists().where(
            (Registration.event == event_id) & (Registration.checkin_code == code)
        ):
            return code
    raise Conflict(N_("No free check-in code was found. Please try again."))

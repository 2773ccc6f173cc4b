"""Encryption at rest for CRM credentials and webhook secrets (Fernet, key from the app secret)."""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from core.errors import DomainError
from core.i18n import N_

_INFO = b"kizuna.crm.sealing.v1"


def _fernet(secret_key: str) -> Fernet:
    # HKDF gives a key of its own: the sealing key is not the session-signing key itself.
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(secret_key: str, value: Any) -> str:
    """`value` (anything JSON) encrypted and authenticated."""
    return _fernet(secret_key).encrypt(json.dumps(value).encode()).decode()


def unseal(secret_key: str, token: str) -> Any:
    """The value sealed with `seal`; a changed app secret makes stored values unreadable."""
    try:
        return json.loads(_fernet(secret_key).decrypt(token.encode()))
    except (InvalidToken, ValueError) as exc:
        raise DomainError(
            N_(
                "Stored CRM secrets cannot be read: the app secret changed. "
                "Enter the credentials or create the webhook again."
            )
        ) from exc

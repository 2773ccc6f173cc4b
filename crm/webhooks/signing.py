"""Standard Webhooks signing: whsec_ secrets and the webhook-id/-timestamp/-signature headers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from uuid import uuid4

SECRET_PREFIX = "whsec_"  # noqa: S105 - the public prefix of every secret


def new_secret() -> str:
    """`whsec_` + base64 of 24 random bytes (the spec asks for 24 to 64 bytes)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def new_message_id() -> str:
    return "msg_" + uuid4().hex


def secret_bytes(secret: str) -> bytes:
    """The key: the base64 part after `whsec_`."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """`v1,` + base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`."""
    signed = f"{message_id}.{timestamp}.{body}".encode()
    digest = hmac.new(secret_bytes(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(secret: str, message_id: str, timestamp: int, body: str) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
        "user-agent": "Kizuna-Webhooks/1.0",
    }

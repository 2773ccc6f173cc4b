"""Password hashing (argon2), signed expiring tokens (itsdangerous) and token digests."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

_hasher = PasswordHasher()
# Compared against when the address is unknown, so timing does not reveal which addresses exist.
_DUMMY_HASH = _hasher.hash("kizuna-timing-equaliser")


def use_password_hashing(profile: str) -> None:
    """Hash new passwords with the `standard` or the `test` argon2 profile (the process's
    composition root calls this from its settings). Verifying reads the parameters stored in
    each hash, so either profile verifies both."""
    global _hasher, _DUMMY_HASH
    # The test profile (refused outside ENVIRONMENT=test): the least argon2 allows.
    cheap = profile == "test"
    _hasher = (
        PasswordHasher(time_cost=1, memory_cost=8, parallelism=1) if cheap else PasswordHasher()
    )
    _DUMMY_HASH = _hasher.hash("kizuna-timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


class TokenError(Exception):
    """A signed token that is malformed, tampered with or expired."""

    def __init__(self, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def sign(secret: str, purpose: str, payload: Any) -> str:
    """A URL-safe token carrying `payload`, valid only for `purpose`."""
    return URLSafeTimedSerializer(secret, salt=f"kizuna.{purpose}").dumps(payload)


def unsign(secret: str, purpose: str, token: str, max_age: int) -> Any:
    serializer = URLSafeTimedSerializer(secret, salt=f"kizuna.{purpose}")
    try:
        return serializer.loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenError(expired=True) from exc
    except BadSignature as exc:
        raise TokenError(expired=False) from exc


def random_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def token_digest(token: str) -> str:
    """What is stored for a bearer or one-time token: never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()

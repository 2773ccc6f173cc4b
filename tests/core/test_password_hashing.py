"""The suite's near-free argon2 profile (PASSWORD_HASHING=test) is refused outside tests, and
hashes of either profile verify under the other (each hash carries its parameters)."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from pydantic import ValidationError

from core import security
from settings import Settings


@pytest.mark.parametrize("environment", ["development", "production"])
def test_the_test_profile_is_refused_outside_tests(environment: str) -> None:
    with pytest.raises(ValidationError, match="PASSWORD_HASHING=test"):
        Settings(environment=environment, password_hashing="test", secret_key="s" * 40)
    assert Settings.model_fields["password_hashing"].default == "standard"


def test_standard_is_argon2s_default_and_both_profiles_verify_each_other() -> None:
    try:
        security.use_password_hashing("standard")
        standard = security.hash_password("pass phrase 1")
        assert PasswordHasher().check_needs_rehash(standard) is False  # argon2-cffi's default
        assert "m=65536" in standard
        security.use_password_hashing("test")
        cheap = security.hash_password("pass phrase 1")
        assert "m=8," in cheap and "t=1," in cheap
        assert security.verify_password(standard, "pass phrase 1")
        assert security.verify_password(cheap, "pass phrase 1")
        assert not security.verify_password(cheap, "another phrase")
        with pytest.raises(VerificationError):
            PasswordHasher().verify(cheap, "another phrase")
    finally:
        security.use_password_hashing("test")  # as the suite runs (tests/conftest.py)

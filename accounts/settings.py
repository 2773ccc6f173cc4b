"""The settings of accounts: sign-in limits, invitation and password-reset links."""

from __future__ import annotations

from core.settings import CoreSettings


class AccountsSettings(CoreSettings):
    """The settings of accounts: sign-in limits, invitation and password-reset links."""

    signin_limit_per_address: int = 5
    """Failed sign-ins per email address per window before 429."""
    signin_limit_per_ip: int = 20
    """Failed sign-ins per client IP per window before 429."""
    signin_limit_window_seconds: int = 900
    """Window of the sign-in limits."""
    invitation_max_age_seconds: int = 7 * 24 * 3600
    """How long an invitation link stays valid."""
    password_reset_max_age_seconds: int = 3600
    """How long a password-reset link stays valid."""

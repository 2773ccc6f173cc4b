"""The kernel's settings (`CoreSettings`): what every domain uses — environment, database,
Redis, secret, addresses, locale, email, jobs, limits. Each domain adds its own section as a
subclass (accounts.settings, events.settings, crm.settings) and the
top-level `settings.Settings` is all of them, read from the environment (and `.env`) by the
composition roots alone."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class CoreSettings(BaseSettings):
    """The kernel's knobs; the embedded default needs none of them set."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "production", "test"] = "development"
    """`production` requires SECRET_KEY and marks cookies Secure."""
    password_hashing: Literal["standard", "test"] = "standard"  # noqa: S105 - a cost name
    """argon2 cost: `standard` (RFC 9106 low-memory profile); `test` is near-free and refused
    unless ENVIRONMENT=test (the suite signs in thousands of times)."""
    database_url: str | None = None
    """PostgreSQL DSN; unset means the embedded SQLite file under VAR_DIR."""
    redis_url: str | None = None
    """Redis URL; unset means in-process jobs and file-backed sessions."""
    secret_key: str | None = None
    """Signs sessions, tokens and CSRF; generated into VAR_DIR when embedded."""
    var_dir: Path = ROOT / "var"
    """Where the embedded default keeps its database, sessions, outbox and secret."""
    host: str = "127.0.0.1"
    """Address `python app.py` listens on (`--host` overrides it); 0.0.0.0 for every interface."""
    port: int = Field(8000, ge=1, le=65535)
    """Port `python app.py` listens on (`--port` overrides it)."""
    base_url: str = "http://127.0.0.1:8000"
    """Public address used in emails and calendar feeds."""
    default_locale: Literal["ja", "en"] = "ja"
    """UI language when neither the member nor the browser says otherwise."""
    default_timezone: str = "Asia/Tokyo"
    """Time zone for viewers without a preference."""
    smtp_host: str | None = None
    """SMTP server; unset means emails are written to VAR_DIR/outbox."""
    smtp_port: int = 587
    """SMTP port."""
    smtp_username: str | None = None
    """SMTP user name, if the server wants one."""
    smtp_password: str | None = None
    """SMTP password, if the server wants one."""
    smtp_starttls: bool = False
    """Upgrade the SMTP connection with STARTTLS."""
    smtp_use_tls: bool = False
    """Connect to the SMTP server over implicit TLS."""
    mail_from: str = "Kizuna <no-reply@kizuna.local>"
    """Sender of every email."""
    load_demo_data: bool = True
    """Load demo accounts and members into an empty database at start (never in production)."""
    migrate_on_start: bool | None = None
    """Apply migrations at start; defaults to on for SQLite, off for PostgreSQL."""
    db_pool_max_size: int = 10
    """Connections per app process in the PostgreSQL pool."""
    db_command_timeout_seconds: float = 30.0
    """A statement running longer fails. Raise it for workers whose nightly score pass is long
    (about 4 s per million signals on two cores)."""
    job_retry_limit: int = 5
    """Attempts before a failing job is left in the job table for inspection."""
    job_timeout_seconds: int = 300
    """A job running longer is cancelled; a worker that died mid-job has it re-run after this."""
    job_stale_after_seconds: int = 120
    """A queued job not finished after this long is pushed again by the sweeper."""
    job_debounce_seconds: float = 10.0
    """How long a debounced job (a score recompute) waits for more requests: a burst of
    signals costs one run."""
    write_limit_per_minute: int = 30
    """Writes (posts, replies, likes, registrations…) per signed-in member per minute."""
    max_request_body_bytes: int = 2 * 1024 * 1024
    """Largest request body accepted (uploads included)."""
    session_max_age_seconds: int = 14 * 24 * 3600
    """Lifetime of a session."""
    allowed_hosts: list[str] = Field(default_factory=lambda: ["*"])
    """Host header values accepted."""

    @field_validator("database_url")
    @classmethod
    def _only_postgres(cls, value: str | None) -> str | None:
        if value and not value.startswith(("postgres://", "postgresql://")):
            raise ValueError("DATABASE_URL must be a postgresql:// URL")
        return value or None

    @model_validator(mode="after")
    def _production_needs_secret(self) -> CoreSettings:
        if self.environment == "production" and not self.secret_key:
            raise ValueError("SECRET_KEY is required in production")
        return self

    @model_validator(mode="after")
    def _cheap_hashing_only_in_tests(self) -> CoreSettings:
        if self.password_hashing == "test" and self.environment != "test":  # noqa: S105
            raise ValueError("PASSWORD_HASHING=test is only allowed with ENVIRONMENT=test")
        return self

    @property
    def uses_postgres(self) -> bool:
        return self.database_url is not None

    @property
    def uses_redis(self) -> bool:
        return self.redis_url is not None

    @property
    def sqlite_path(self) -> Path:
        return self.var_dir / "kizuna.sqlite3"

    @property
    def outbox_dir(self) -> Path:
        return self.var_dir / "outbox"

    @property
    def should_migrate_on_start(self) -> bool:
        if self.migrate_on_start is None:
            return not self.uses_postgres
        return self.migrate_on_start

    @property
    def cookie_secure(self) -> bool:
        return self.environment == "production"

    def resolved_secret_key(self) -> str:
        """The configured secret, or one generated once and kept in VAR_DIR."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        self.secret_key = path.read_text().strip()
        return self.secret_key

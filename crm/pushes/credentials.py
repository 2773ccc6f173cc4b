"""CRM credentials: from settings (operations) or entered by an admin (sealed in the database).

Secrets never appear in a repr, a log line or a page: the dataclasses redact them, and the
admin form never shows a stored secret back (blank keeps it).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from accounts.tables import Member
from core.errors import DomainError
from core.i18n import N_
from core.timeutil import utcnow
from crm.sealing import seal, unseal
from crm.settings import CrmSettings
from crm.tables import CrmCredential
from crm.targets import TargetRefused, parse_target_url

REDACTED = "***"


class _Redacting:
    SECRET_FIELDS: tuple[str, ...] = ()

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{f.name}={REDACTED if f.name in self.SECRET_FIELDS else getattr(self, f.name)!r}"
            for f in fields(self)  # type: ignore[arg-type]
        )
        return f"{type(self).__name__}({shown})"

    __str__ = __repr__


@dataclass(frozen=True, repr=False)
class SalesforceCredentials(_Redacting):
    login_url: str
    client_id: str
    client_secret: str = field(default="")
    username: str = ""
    password: str = ""
    api_version: str = "v62.0"
    source: str = "settings"
    SECRET_FIELDS = ("client_secret", "password")

    @property
    def flow(self) -> str:
        return "password" if self.username else "client_credentials"


@dataclass(frozen=True, repr=False)
class HubSpotCredentials(_Redacting):
    base_url: str
    access_token: str
    source: str = "settings"
    SECRET_FIELDS = ("access_token",)


def _secret(value: Any) -> str:
    return value.get_secret_value() if value is not None else ""


async def _stored(crm: str, settings: CrmSettings) -> dict[str, Any]:
    row = await CrmCredential.select(CrmCredential.sealed).where(CrmCredential.crm == crm).first()
    if row is None:
        return {}
    return dict(unseal(settings.resolved_secret_key(), row["sealed"]))


async def salesforce_credentials(settings: CrmSettings) -> SalesforceCredentials | None:
    """CrmSettings win (SALESFORCE_LOGIN_URL and friends); else what an admin saved; else None."""
    if settings.salesforce_login_url and settings.salesforce_client_id:
        return SalesforceCredentials(
            login_url=settings.salesforce_login_url,
            client_id=settings.salesforce_client_id,
            client_secret=_secret(settings.salesforce_client_secret),
            username=settings.salesforce_username or "",
            password=_secret(settings.salesforce_password),
            api_version=settings.salesforce_api_version,
        )
    stored = await _stored("salesforce", settings)
    if not stored.get("login_url") or not stored.get("client_id"):
        return None
    stored["api_version"] = stored.get("api_version") or settings.salesforce_api_version
    return SalesforceCredentials(**stored, source="database")


async def hubspot_credentials(settings: CrmSettings) -> HubSpotCredentials | None:
    if settings.hubspot_access_token is not None:
        return HubSpotCredentials(settings.hubspot_base_url, _secret(settings.hubspot_access_token))
    stored = await _stored("hubspot", settings)
    if not stored.get("access_token"):
        return None
    return HubSpotCredentials(
        stored.get("base_url") or settings.hubspot_base_url,
        stored["access_token"],
        source="database",
    )


KEYS = {
    "salesforce": (
        "login_url",
        "client_id",
        "client_secret",
        "username",
        "password",
        "api_version",
    ),
    "hubspot": ("base_url", "access_token"),
}
SECRET_KEYS = {"client_secret", "password", "access_token"}
URL_KEYS = {"login_url", "base_url"}


async def stored_summary(crm: str, settings: CrmSettings) -> dict[str, Any]:
    """What the form may show: non-secret values, and for secrets only whether one is set."""
    stored = await _stored(crm, settings)
    return {
        key: (bool(stored.get(key)) if key in SECRET_KEYS else stored.get(key, ""))
        for key in KEYS[crm]
    }


async def save_credentials(
    crm: str, data: dict[str, Any], member: Member, settings: CrmSettings
) -> None:
    """Seal and store the form's values; a blank secret keeps the stored one."""
    if crm not in KEYS:
        raise DomainError(N_("Unknown CRM: %(crm)s"), crm=crm)
    stored = await _stored(crm, settings)
    values: dict[str, str] = {}
    for key in KEYS[crm]:
        value = str(data.get(key) or "").strip()
        if key in SECRET_KEYS and not value:
            value = stored.get(key, "")
        values[key] = value
    for key in URL_KEYS & set(values):
        if values[key]:
            try:
                parse_target_url(values[key])
            except TargetRefused as exc:
                raise DomainError(exc.message, field_errors={key: exc.message}) from exc
            values[key] = values[key].rstrip("/")
    required = ("login_url", "client_id") if crm == "salesforce" else ("access_token",)
    missing = {k: N_("This field is required.") for k in required if not values.get(k)}
    if missing:
        raise DomainError(N_("Fill in the required fields."), field_errors=missing)
    row = CrmCredential(
        crm=crm,
        sealed=seal(settings.resolved_secret_key(), values),
        updated_by=member.id,
        updated_at=utcnow(),
    )
    await CrmCredential.insert(row).on_conflict(
        target=CrmCredential.crm,
        action="DO UPDATE",
        values=[CrmCredential.sealed, CrmCredential.updated_by, CrmCredential.updated_at],
    )

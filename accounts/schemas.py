"""What comes in (forms, API bodies) and goes out (API responses) for accounts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from core.forms import FieldMessage
from core.i18n import N_
from core.timeutil import is_valid_timezone

Locale = Literal["ja", "en"]
RoleName = Literal["customer", "csm", "admin"]
TierName = Literal["high", "low", "tech"]


class LoginForm(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=200)
    next: str | None = Field(default=None, max_length=500)


class EmailForm(BaseModel):
    email: EmailStr = Field(max_length=320)


class SignupForm(BaseModel):
    email: EmailStr = Field(max_length=320)
    display_name: str = Field(min_length=1, max_length=100)


class PasswordForm(BaseModel):
    token: str = Field(min_length=1, max_length=2000)
    password: str = Field(min_length=10, max_length=200)
    password_confirm: str = Field(min_length=1, max_length=200)

    @field_validator("password_confirm")
    @classmethod
    def _same(cls, value: str, info: object) -> str:
        data = getattr(info, "data", {})
        if "password" in data and value != data["password"]:
            raise FieldMessage(N_("The two passwords do not match."))
        return value


class InvitationAcceptForm(PasswordForm):
    display_name: str = Field(min_length=1, max_length=100)


class SettingsForm(BaseModel):
    display_name: str = Field(min_length=1, max_length=100)
    locale: Locale | None = None
    timezone: str = Field(min_length=1, max_length=64)
    email_notifications: bool = False
    reengagement_opt_out: bool = False

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        if not is_valid_timezone(value):
            raise FieldMessage(N_("Choose a valid time zone."))
        return value


class PasswordChangeForm(BaseModel):
    current_password: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=10, max_length=200)
    password_confirm: str = Field(min_length=1, max_length=200)

    @field_validator("password_confirm")
    @classmethod
    def _same(cls, value: str, info: object) -> str:
        data = getattr(info, "data", {})
        if "password" in data and value != data["password"]:
            raise FieldMessage(N_("The two passwords do not match."))
        return value


class AccountForm(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    domains: str | None = Field(default=None, max_length=2000)
    crm_external_id: str | None = Field(default=None, max_length=100)
    arr: int = Field(default=0, ge=0, le=10**15)
    plan: str | None = Field(default=None, max_length=50)
    contract_start: date | None = None
    renewal_date: date | None = None
    touch_tier: TierName = "low"
    owner_id: int | None = None
    allow_self_signup: bool = False
    score_self_view: bool = False


class InviteForm(BaseModel):
    email: EmailStr = Field(max_length=320)
    display_name: str = Field(default="", max_length=100)
    role: RoleName = "customer"
    account_id: int | None = None


class MemberEditForm(BaseModel):
    display_name: str = Field(min_length=1, max_length=100)
    role: RoleName
    account_id: int | None = None
    active: bool = False


class MemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    display_name: str
    handle: str
    role: RoleName
    account_id: int | None
    locale: Locale | None
    timezone: str
    last_seen_at: datetime | None
    active: bool


class AccountOut(BaseModel):
    id: int
    name: str
    domains: list[str]
    crm_external_id: str | None
    arr: int
    plan: str
    contract_start: date | None
    renewal_date: date | None
    touch_tier: TierName
    owner_id: int | None
    allow_self_signup: bool
    active: bool
    member_count: int


class AccountList(BaseModel):
    """One page of accounts: `items` from `offset`, `total` matching."""

    items: list[AccountOut]
    total: int
    limit: int
    offset: int

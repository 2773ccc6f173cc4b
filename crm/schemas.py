"""What the CRM export API returns and accepts, and the admin forms it reads."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from core.forms import FieldMessage
from core.i18n import N_
from core.problems import ApiInput

EventType = Literal["score.updated", "score.band_changed"]


class ScoreItem(BaseModel):
    """An account's current engagement score, with its CRM key."""

    account_id: int = Field(description="Kizuna account id: stable, never reused.")
    account_name: str
    crm_external_id: str | None = Field(description="The account's id in the CRM, if set.")
    score: float = Field(description="Engagement score 0–100.")
    band: str = Field(description="red, yellow or green.")
    trend: str = Field(description="up, down or same, against 30 days before.")
    community: float = Field(description="Community measure 0–100.")
    events: float = Field(description="Events measure 0–100.")
    breadth: float = Field(description="Share of members active in 90 days, 0–100.")
    recency: float = Field(description="Recency measure 0–100.")
    last_activity_at: datetime | None
    updated_at: datetime = Field(description="When an exported field last changed.")
    human_share: float | None = Field(
        default=None,
        description="Human (1:1) share of the account's touch minutes over the last 30 days, "
        "0–100; null without touch. Read when asked: it does not move updated_at.",
    )
    last_human_touch_at: datetime | None = Field(
        default=None, description="The last 1:1 touch that took place."
    )
    open_tasks: int | None = Field(default=None, description="The CSMs' open tasks on it.")


class ScorePage(BaseModel):
    """One page of scores, ascending by (updated_at, account_id)."""

    items: list[ScoreItem]
    next_cursor: str = Field(
        description="Pass as `cursor` for the next page; keep it to poll for later changes."
    )
    has_more: bool = Field(description="False when this page reached the newest scores.")


class WebhookEndpointIn(ApiInput):
    """A webhook endpoint to register."""

    url: str = Field(min_length=1, max_length=2000)
    events: list[EventType] = Field(min_length=1, max_length=2)
    description: str = Field(default="", max_length=200)


class WebhookEndpointOut(BaseModel):
    id: int
    url: str
    events: list[str]
    description: str
    enabled: bool
    disabled_reason: str | None
    created_at: datetime


class WebhookEndpointCreated(WebhookEndpointOut):
    secret: str = Field(description="whsec_… signing secret: shown only in this response.")


class TokenForm(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[Literal["scores:read", "webhooks:manage"]] = Field(
        default=None, min_length=1, validate_default=True
    )
    expires_in_days: int = 90

    @field_validator("expires_in_days")
    @classmethod
    def _known_expiry(cls, value: int) -> int:
        if value not in (0, 30, 90, 365):
            raise FieldMessage(N_("Choose one of the offered values."))
        return value

    @field_validator("scopes", mode="before")
    @classmethod
    def _listify(cls, value: object) -> object:
        if value is None:
            raise FieldMessage(N_("Choose at least one scope."))
        return value if isinstance(value, list) else [value]


class WebhookForm(BaseModel):
    url: str = Field(min_length=1, max_length=2000)
    events: list[EventType] = Field(default=None, min_length=1, validate_default=True)
    description: str | None = Field(default=None, max_length=200)

    @field_validator("events", mode="before")
    @classmethod
    def _listify(cls, value: object) -> object:
        if value is None:
            raise FieldMessage(N_("Choose at least one event."))
        return value if isinstance(value, list) else [value]

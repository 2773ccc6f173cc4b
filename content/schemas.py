"""What comes in (the staff content form, API bodies) and goes out (API responses)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.forms import as_list
from core.ids import RowId

TITLE_MAX = 150
BODY_MAX = 50_000

ContentKindName = Literal["article", "video", "checklist", "recording"]
AudienceName = Literal["all", "tiers", "accounts"]


class ContentIn(BaseModel):
    """A content item as staff write it: a link, or a Markdown body, or both."""

    title: str | None = Field(default=None, max_length=TITLE_MAX * 2)
    summary: str | None = Field(default=None, max_length=1000)
    kind: ContentKindName = "article"
    url: str | None = Field(default=None, max_length=500)
    body: str | None = Field(default=None, max_length=BODY_MAX)
    minutes: int = Field(default=10, ge=1, le=600)
    tags: str | None = Field(default=None, max_length=300)
    audience: AudienceName = "all"
    audience_tiers: list[Literal["high", "low", "tech"]] = Field(default_factory=list)
    audience_accounts: list[RowId] = Field(default_factory=list, max_length=1000)
    published: bool = False

    _lists = field_validator("audience_tiers", "audience_accounts", mode="before")(as_list)


class ContentOut(BaseModel):
    """A content item as a member sees it, with their progress."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    summary: str
    kind: ContentKindName
    url: str = Field(description="Where the item lives; empty when its body is the content.")
    minutes: int = Field(description="Estimated minutes to take it in.")
    tags: list[str]
    viewed_at: datetime | None
    completed_at: datetime | None


class ContentList(BaseModel):
    items: list[ContentOut]

"""The content library: items, the accounts an item is limited to, and each member's progress."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import (
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from accounts.audience import Audience
from accounts.tables import Account, Member


class ContentKind(StrEnum):
    article = "article"
    video = "video"
    checklist = "checklist"
    recording = "recording"  # of a past webinar


class ContentItem(Table, tablename="content_item"):
    """One piece of tech-touch content: a link (video, recording, external page) or a text."""

    id: Serial

    title = Varchar(length=150)
    summary = Text(default="", help_text="One or two sentences shown in the library.")
    kind = Varchar(length=12, default=ContentKind.article.value, choices=ContentKind)
    url = Varchar(length=500, default="", help_text="Where the item lives; empty: the body.")
    body_markdown = Text(default="")
    body_html = Text(default="", help_text="Rendered and sanitised once, when saved.")
    minutes = Integer(default=10, help_text="Estimated time to take it in.")
    tags = Varchar(length=300, default="", help_text="Space-separated, lower-cased.")
    audience = Varchar(length=10, default=Audience.all.value, choices=Audience)
    audience_tiers = Varchar(length=40, default="", help_text="Space-separated touch tiers.")
    published = Boolean(default=True, index=True, help_text="Unpublished items: staff only.")
    created_by = ForeignKey(references=Member, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())


class ContentAudienceAccount(Table, tablename="content_audience_account"):
    """An account an item with audience 'accounts' is open to (unique pair, raw index)."""

    id: Serial

    item = ForeignKey(references=ContentItem, on_delete=OnDelete.cascade, index=True)
    account = ForeignKey(references=Account, on_delete=OnDelete.cascade)


class ContentProgress(Table, tablename="content_progress"):
    """What one member has done with one item (unique pair, raw index)."""

    id: Serial

    member = ForeignKey(references=Member, on_delete=OnDelete.cascade, index=True)
    item = ForeignKey(references=ContentItem, on_delete=OnDelete.cascade, index=True)
    first_viewed_at = Timestamptz(null=True, default=None)
    last_viewed_at = Timestamptz(null=True, default=None)
    views = Integer(default=0)
    completed_at = Timestamptz(null=True, default=None)

"""What comes in (forms, API bodies) and goes out (API responses) for the community forum.

Title and body limits are checked by the services (one message for pages and API alike); the
API schemas carry them as documentation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from pydantic.json_schema import JsonDict

from core.ids import ID_MAX, RowId
from core.problems import ApiInput, Whole

TITLE_MAX = 150
BODY_MAX = 20_000

KindName = Literal["discussion", "question"]
VisibilityName = Literal["all", "staff", "account"]
FlagReasonName = Literal["spam", "offensive", "off_topic", "other"]
StatusName = Literal["solved", "unsolved"]


_TITLE_DOC: JsonDict = {"maxLength": TITLE_MAX, "minLength": 1}
_BODY_DOC: JsonDict = {"maxLength": BODY_MAX, "minLength": 1}
# The preview renders at most BODY_MAX characters (as the page's preview does); it never refuses.
_PREVIEW_DOC: JsonDict = {"description": f"Markdown; the first {BODY_MAX} characters are shown."}


# --- forms -------------------------------------------------------------------------------


class TopicForm(BaseModel):
    category_id: RowId
    kind: KindName = "discussion"
    title: str | None = None
    body: str | None = None
    client_token: str | None = Field(default=None, max_length=64)
    action: str | None = None


class ReplyForm(BaseModel):
    body: str | None = None
    client_token: str | None = Field(default=None, max_length=64)
    action: str | None = None


class EditForm(BaseModel):
    body: str | None = None
    action: str | None = None


class AcceptForm(BaseModel):
    post_id: RowId


class FlagForm(BaseModel):
    reason: FlagReasonName
    note: str | None = Field(default=None, max_length=500)


class MoveForm(BaseModel):
    category_id: RowId


class CategoryForm(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=2000)
    position: int = Field(default=0, ge=-10_000, le=10_000)
    visibility: VisibilityName = "all"
    account_id: RowId | None = None


class CategoryIn(ApiInput):
    """A category as the admin form takes it; a private one (visibility account) names its
    account."""

    name: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=2000)
    position: Whole = Field(default=0, ge=-10_000, le=10_000)
    visibility: VisibilityName = "all"
    account_id: Whole | None = Field(default=None, ge=1, le=ID_MAX)


class ReviewForm(BaseModel):
    decision: Literal["restore", "hide"]


# --- API in ------------------------------------------------------------------------------


class TopicCreate(ApiInput):
    """A new topic with its opening post (Markdown)."""

    category_id: RowId
    kind: KindName = "discussion"
    title: str = Field(json_schema_extra=_TITLE_DOC)
    body: str = Field(json_schema_extra=_BODY_DOC)
    client_token: str | None = Field(
        default=None,
        max_length=64,
        description="Any unique string per attempt: a repeated request creates one topic.",
    )


class ReplyCreate(ApiInput):
    """A reply (Markdown)."""

    body: str = Field(json_schema_extra=_BODY_DOC)
    client_token: str | None = Field(
        default=None,
        max_length=64,
        description="Any unique string per attempt: a repeated request creates one post.",
    )


class AcceptIn(ApiInput):
    post_id: RowId


class PreviewIn(ApiInput):
    body: str = Field(json_schema_extra=_PREVIEW_DOC)


# --- API out -----------------------------------------------------------------------------


class CategoryOut(BaseModel):
    id: int
    name: str
    description: str
    position: int
    visibility: VisibilityName
    account_id: int | None


class AuthorOut(BaseModel):
    id: int
    display_name: str
    handle: str
    account_name: str | None = Field(description="The author's company; None for staff.")
    is_staff: bool


class TopicOut(BaseModel):
    id: int
    category_id: int
    category_name: str
    kind: KindName
    title: str
    author: AuthorOut
    pinned: bool
    locked: bool
    hidden: bool
    solved: bool
    accepted_post_id: int | None
    reply_count: int
    unread: bool = Field(description="Posts were added since the viewer last read the topic.")
    created_at: datetime
    last_activity_at: datetime


class TopicPage(BaseModel):
    items: list[TopicOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class PostOut(BaseModel):
    id: int
    number: int
    author: AuthorOut
    body_html: str | None = Field(description="Sanitised HTML; None when deleted or hidden.")
    deleted: bool
    hidden: bool
    like_count: int
    liked_by_me: bool
    accepted: bool
    created_at: datetime
    edited_at: datetime | None


class TopicDetail(BaseModel):
    topic: TopicOut
    posts: list[PostOut]
    page: int
    pages: int


class LikeOut(BaseModel):
    post_id: int
    liked: bool
    like_count: int


class PreviewOut(BaseModel):
    html: str


class SearchHitOut(BaseModel):
    topic_id: int
    title: str
    category_name: str
    snippet: str = Field(description="Plain text around the match.")
    last_activity_at: datetime


class NotificationOut(BaseModel):
    id: int
    kind: Literal["reply", "mention", "accepted"]
    topic_id: int
    topic_title: str
    post_id: int | None
    actor_name: str | None
    created_at: datetime
    read: bool

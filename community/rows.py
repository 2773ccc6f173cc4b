"""The forum's rows as the pages, the API and the other modules read them: frozen typed views
built in one place (`TopicRow.of`, `PostRow.of`) from the reading queries (community.reading),
with what the reader may do already decided."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

from accounts.tables import Member


@dataclass(frozen=True)
class TopicRow:
    """A topic in a list or on its page, with its author and the reader's read state."""

    id: int
    title: str
    kind: str  # TopicKind
    pinned: bool
    locked: bool
    hidden: bool
    solved: bool
    accepted_post_id: int | None
    post_count: int
    last_post_id: int | None
    last_activity_at: datetime
    created_at: datetime
    category_id: int
    category_name: str
    author_id: int
    author_name: str
    author_handle: str
    author_role: str
    account_name: str | None
    last_read_post_id: int | None
    visibility: str = ""  # the category's, on the topic page only
    category_account: int | None = None

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> TopicRow:
        return cls(**{name: row[name] for name in _TOPIC_FIELDS if name in row})

    @property
    def unread(self) -> bool:
        """Never opened, or a post newer than the last one the reader saw."""
        last_read = self.last_read_post_id
        return last_read is None or (self.last_post_id or 0) > last_read

    @property
    def reply_count(self) -> int:
        return max(0, self.post_count - 1)


@dataclass(frozen=True)
class PostRow:
    """A post as its topic page shows it to one reader."""

    id: int
    number: int
    author: int
    body_html: str
    like_count: int
    hidden: bool
    hidden_reason: str | None
    deleted_at: datetime | None
    edited_at: datetime | None
    created_at: datetime
    author_name: str
    author_handle: str
    author_role: str
    account_name: str | None
    visible: bool  # neither deleted nor hidden
    show_body: bool  # visible, or hidden and the reader is staff
    liked: bool  # by the reader
    mine: bool
    accepted: bool = False

    @classmethod
    def of(cls, row: Mapping[str, Any], reader: Member) -> PostRow:
        own = {name: row[name] for name in _POST_COLUMNS}
        deleted = row["deleted_at"] is not None
        return cls(
            **own,
            visible=not deleted and not row["hidden"],
            show_body=not deleted and (not row["hidden"] or reader.is_staff),
            liked=row["my_like"] is not None,
            mine=row["author"] == reader.id,
        )

    def as_accepted(self, accepted_post_id: int | None) -> PostRow:
        return replace(self, accepted=self.id == accepted_post_id)


_TOPIC_FIELDS = tuple(f.name for f in fields(TopicRow))
_DERIVED = {"visible", "show_body", "liked", "mine", "accepted"}
_POST_COLUMNS = tuple(f.name for f in fields(PostRow) if f.name not in _DERIVED)


@dataclass(frozen=True)
class TopicAudience:
    """Who may read a topic: what a notification checks for each recipient."""

    id: int
    hidden: bool
    visibility: str  # the category's Visibility
    category_account: int | None


@dataclass(frozen=True)
class LockedTopic:
    """A topic loaded for a write (services.topic_for_write): locked until the transaction
    ends, with its category's audience."""

    id: int
    category: int
    author: int
    kind: str  # TopicKind
    title: str
    locked: bool
    hidden: bool
    solved: bool
    accepted_post_id: int | None
    post_count: int
    first_response_at: datetime | None
    visibility: str  # the category's Visibility
    category_account: int | None

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> LockedTopic:
        return cls(**{name: row[name] for name in _LOCKED_TOPIC_FIELDS})

    @property
    def audience(self) -> TopicAudience:
        return TopicAudience(self.id, self.hidden, self.visibility, self.category_account)


@dataclass(frozen=True)
class StoredPost:
    """A post as stored (every column of community_post), for the writes that check it."""

    id: int
    topic: int
    author: int
    number: int
    body_markdown: str
    body_html: str
    search_text: str
    like_count: int
    hidden: bool
    hidden_reason: str
    deleted_at: datetime | None
    edited_at: datetime | None
    created_at: datetime
    submission_key: str | None
    content_hash: str

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> StoredPost:
        return cls(**{name: row[name] for name in _STORED_POST_FIELDS})

    @property
    def gone(self) -> bool:
        """Deleted by its author or hidden: not answerable, likeable or shown to members."""
        return self.deleted_at is not None or self.hidden


_LOCKED_TOPIC_FIELDS = tuple(f.name for f in fields(LockedTopic))
_STORED_POST_FIELDS = tuple(f.name for f in fields(StoredPost))

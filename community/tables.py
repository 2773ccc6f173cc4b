"""The forum's schema: categories, topics, posts, likes, read state, notifications and flags."""

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

from accounts.tables import Account, Member


class Visibility(StrEnum):
    all = "all"
    staff = "staff"
    account = "account"


class TopicKind(StrEnum):
    discussion = "discussion"
    question = "question"


class HiddenReason(StrEnum):
    none = ""
    staff = "staff"
    flags = "flags"


class NotificationKind(StrEnum):
    reply = "reply"
    mention = "mention"
    accepted = "accepted"


class FlagReason(StrEnum):
    spam = "spam"
    offensive = "offensive"
    off_topic = "off_topic"
    other = "other"


class Category(Table, tablename="community_category"):
    """A space of the forum; who may read it is decided by `visibility` (and `account`)."""

    id: Serial

    name = Varchar(length=100)
    description = Text(default="")
    position = Integer(default=0, index=True, help_text="Categories are listed by this, then name.")
    visibility = Varchar(
        length=10,
        default=Visibility.all.value,
        choices=Visibility,
        help_text="all: every member; staff: CSMs and admins; account: one account plus staff.",
    )
    account = ForeignKey(
        references=Account,
        null=True,
        on_delete=OnDelete.set_null,
        help_text="The customer account of a private (visibility=account) category.",
    )
    created_at = Timestamptz(default=TimestamptzNow())


class Topic(Table, tablename="community_topic"):
    """A discussion or a question, with the counters its lists need kept on the row."""

    id: Serial

    category = ForeignKey(references=Category, on_delete=OnDelete.restrict, index=True)
    author = ForeignKey(references=Member, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=12, default=TopicKind.discussion.value, choices=TopicKind)
    title = Varchar(length=150)
    search_text = Text(default="", help_text="The title NFKC-normalised and case-folded.")
    pinned = Boolean(default=False)
    locked = Boolean(default=False, help_text="No more replies (staff still may).")
    hidden = Boolean(default=False, help_text="Hidden by staff: only staff see it.")
    solved = Boolean(default=False)
    accepted_post_id = Integer(
        null=True,
        default=None,
        help_text="The accepted answer (a post of this topic); no FK, to avoid a cycle.",
    )
    post_count = Integer(default=1, help_text="Posts ever written, deleted ones included.")
    last_post_id = Integer(
        null=True, default=None, help_text="Newest post; read state compares against it."
    )
    last_activity_at = Timestamptz(default=TimestamptzNow(), index=True)
    first_response_at = Timestamptz(
        null=True,
        default=None,
        help_text="First reply by someone other than the author (time-to-first-response).",
    )
    created_at = Timestamptz(default=TimestamptzNow())
    submission_key = Varchar(
        length=100,
        null=True,
        default=None,
        unique=True,
        help_text="author:form token; a second submit of the same form finds the first topic.",
    )
    content_hash = Varchar(length=64, default="", help_text="For the 10-second duplicate check.")


class Post(Table, tablename="community_post"):
    """One message of a topic (number 1 opens it); Markdown kept, sanitised HTML stored."""

    id: Serial

    topic = ForeignKey(references=Topic, on_delete=OnDelete.cascade, index=True)
    author = ForeignKey(references=Member, on_delete=OnDelete.restrict, index=True)
    number = Integer(help_text="Position in the topic, from 1; unique per topic.")
    body_markdown = Text()
    body_html = Text(help_text="Rendered and sanitised once, when written.")
    search_text = Text(default="", help_text="Plain text NFKC-normalised and case-folded.")
    like_count = Integer(default=0)
    hidden = Boolean(default=False)
    hidden_reason = Varchar(
        length=10,
        default=HiddenReason.none.value,
        choices=HiddenReason,
        help_text="staff: hidden by staff; flags: hidden by flags until reviewed.",
    )
    deleted_at = Timestamptz(null=True, default=None, help_text="Soft delete by the author.")
    edited_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    submission_key = Varchar(length=100, null=True, default=None, unique=True)
    content_hash = Varchar(length=64, default="")


class PostRevision(Table, tablename="community_post_revision"):
    """A post's text before an edit (the edit history staff can read)."""

    id: Serial

    post = ForeignKey(references=Post, on_delete=OnDelete.cascade, index=True)
    editor = ForeignKey(references=Member, null=True, on_delete=OnDelete.set_null)
    body_markdown = Text()
    body_html = Text()
    created_at = Timestamptz(default=TimestamptzNow())


class PostLike(Table, tablename="community_post_like"):
    """One like of one member on one post (unique pair, by index in the search migration)."""

    id: Serial

    post = ForeignKey(references=Post, on_delete=OnDelete.cascade)
    member = ForeignKey(references=Member, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz(default=TimestamptzNow())


class TopicRead(Table, tablename="community_topic_read"):
    """How far a member has read a topic: posts after `last_read_post_id` are new to them."""

    id: Serial

    member = ForeignKey(references=Member, on_delete=OnDelete.cascade)
    topic = ForeignKey(references=Topic, on_delete=OnDelete.cascade, index=True)
    last_read_post_id = Integer(default=0)
    last_read_at = Timestamptz(default=TimestamptzNow())


class Notification(Table, tablename="community_notification"):
    """Something a member should know: a reply to their topic, a mention, an accepted answer."""

    id: Serial

    recipient = ForeignKey(references=Member, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=12, choices=NotificationKind)
    topic = ForeignKey(references=Topic, on_delete=OnDelete.cascade)
    post = ForeignKey(references=Post, null=True, on_delete=OnDelete.cascade)
    actor = ForeignKey(references=Member, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    read_at = Timestamptz(null=True, default=None)
    emailed_at = Timestamptz(
        null=True, default=None, help_text="Set with the email in one transaction: sent once."
    )
    dedupe_key = Varchar(length=120, unique=True, help_text="Same fact, one notification.")


class Flag(Table, tablename="community_flag"):
    """A member's report of a post; three open flags hide the post until staff review it."""

    id: Serial

    post = ForeignKey(references=Post, on_delete=OnDelete.cascade, index=True)
    member = ForeignKey(references=Member, on_delete=OnDelete.cascade)
    reason = Varchar(length=20, choices=FlagReason)
    note = Varchar(length=500, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    resolved_at = Timestamptz(null=True, default=None)
    resolved_by = ForeignKey(references=Member, null=True, on_delete=OnDelete.set_null)


TABLES: list[type[Table]] = [
    Category,
    Topic,
    Post,
    PostRevision,
    PostLike,
    TopicRead,
    Notification,
    Flag,
]

"""Writing to the forum: topics, replies, edits, deletions and accepted answers.

Each write is one transaction with its signal and notifications. Double submissions are
answered with the first result: a form token (`client_token`) makes a submission unique, and
the same text from the same author within ten seconds counts as the same submission.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from accounts.services import lock_member
from accounts.tables import Member
from community.categories import get_visible_category
from community.notifications import notify
from community.rows import LockedTopic, StoredPost, TopicAudience
from community.schemas import BODY_MAX, TITLE_MAX
from community.tables import NotificationKind, Post, PostRevision, Topic, TopicKind, TopicRead
from community.visibility import fetch_dicts, visible_sql
from core.database import is_postgres, transaction
from core.errors import Conflict, DomainError, Forbidden, NotFound
from core.i18n import N_, gettext
from core.markdown import mentioned_handles, normalize_for_search, plain_text, render_markdown
from core.timeutil import utcnow
from engagement.signals import NewSignal, SignalKind, Subject, SubjectType, record_signals

DUPLICATE_WINDOW = timedelta(seconds=10)
TOPIC_NOT_FOUND = N_("This topic does not exist, or you cannot see it.")
POST_NOT_FOUND = N_("This post does not exist, or you cannot see it.")


# --- input -------------------------------------------------------------------------------


def clean_text(title: str | None, body: str | None, *, with_title: bool) -> tuple[str, str]:
    """Stripped title and body, or a DomainError naming every field that is wrong."""
    title, body = (title or "").strip(), (body or "").strip()
    problems: dict[str, tuple[str, dict[str, Any]]] = {}
    if with_title and not title:
        problems["title"] = (N_("Enter a title."), {})
    elif with_title and len(title) > TITLE_MAX:
        problems["title"] = (
            N_("Keep the title to %(max)s characters or fewer (now %(count)s)."),
            {"max": TITLE_MAX, "count": len(title)},
        )
    if not body:
        problems["body"] = (N_("Enter the text of your post."), {})
    elif len(body) > BODY_MAX:
        problems["body"] = (
            N_("Keep the text to %(max)s characters or fewer (now %(count)s)."),
            {"max": BODY_MAX, "count": len(body)},
        )
    if problems:
        # The headline is the first problem; field errors arrive translated, with their numbers.
        message, params = next(iter(problems.values()))
        translated = {name: gettext(m, **p) for name, (m, p) in problems.items()}
        raise DomainError(message, field_errors=translated, **params)
    return title, body


async def render_body(body: str) -> tuple[str, str, set[int]]:
    """(sanitised HTML, search text, ids of the active members it mentions)."""
    handles = sorted(mentioned_handles(body))[:50]
    known: dict[str, int] = {}
    if handles:
        rows = await Member.select(Member.id, Member.handle).where(
            Member.handle.is_in(handles) & Member.active.eq(True)
        )
        known = {row["handle"]: row["id"] for row in rows}

    def href(handle: str) -> str | None:
        handle = handle.rstrip(".-")
        return f"/community/u/{handle}" if handle in known else None

    html = render_markdown(body, mention_href=href)
    return html, normalize_for_search(plain_text(html)), set(known.values())


def content_digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()


def submission_key(member_id: int, client_token: str | None) -> str | None:
    return f"{member_id}:{client_token}" if client_token else None


# --- loading for a write -----------------------------------------------------------------


async def topic_for_write(member: Member, topic_id: int) -> LockedTopic:
    """The topic with its category's visibility, locked (PostgreSQL) until the transaction ends;
    NotFound when `member` may not see it."""
    if is_postgres():
        await Topic.select(Topic.id).where(Topic.id == topic_id).lock_rows("NO KEY UPDATE")
    visible = visible_sql(member)
    rows = await fetch_dicts(
        "SELECT t.id, t.category, t.author, t.kind, t.title, t.locked, t.hidden, t.solved, "  # noqa: S608
        "t.accepted_post_id, t.post_count, t.first_response_at, c.visibility, "
        "c.account AS category_account FROM community_topic t "
        "JOIN community_category c ON c.id = t.category "
        f"WHERE t.id = {{}} AND {visible.text}",
        topic_id,
        *visible.args,
    )
    if not rows:
        raise NotFound(TOPIC_NOT_FOUND)
    return LockedTopic.of(rows[0])


async def post_for_write(member: Member, post_id: int) -> tuple[StoredPost, LockedTopic]:
    """(post, its topic as topic_for_write gives it), the topic locked."""
    found = await Post.select(Post.topic).where(Post.id == post_id).first()
    if found is None:
        raise NotFound(POST_NOT_FOUND)
    try:
        topic = await topic_for_write(member, found["topic"])
    except NotFound:
        raise NotFound(POST_NOT_FOUND) from None
    row = await Post.select().where(Post.id == post_id).first()  # read under the lock
    assert row is not None
    post = StoredPost.of(row)
    if post.hidden and not member.is_staff and post.author != member.id:
        raise NotFound(POST_NOT_FOUND)
    return post, topic


async def mark_read(member_id: int, topic_id: int, post_id: int) -> None:
    await TopicRead.insert(
        TopicRead(
            member=member_id, topic=topic_id, last_read_post_id=post_id, last_read_at=utcnow()
        )
    ).on_conflict(
        target=(TopicRead.member, TopicRead.topic),
        action="DO UPDATE",
        values=[TopicRead.last_read_post_id, TopicRead.last_read_at],
    )


# --- topics and replies ------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """A post's text, checked and rendered outside the transaction that stores it."""

    body: str
    html: str
    search_text: str
    mentioned: set[int]
    digest: str
    key: str | None


async def _draft(member: Member, body: str, client_token: str | None, *scope: object) -> Draft:
    html, search_text, mentioned = await render_body(body)
    key = submission_key(member.id, client_token)
    return Draft(body, html, search_text, mentioned, content_digest(*scope, body), key)


async def _insert_post(member: Member, topic_id: int, number: int, draft: Draft, now: Any) -> int:
    post = Post(
        topic=topic_id,
        author=member.id,
        number=number,
        body_markdown=draft.body,
        body_html=draft.html,
        search_text=draft.search_text,
        created_at=now,
        # The topic carries the form token of its opening post.
        submission_key=draft.key if number > 1 else None,
        content_hash=draft.digest,
    )
    await post.save()
    return int(post.id)


async def _signal(member: Member, kind: SignalKind, subject: Subject, when: Any) -> None:
    await record_signals(NewSignal(kind, member.account, member.id, subject, when))


async def create_topic(
    member: Member,
    category_id: int,
    kind: str,
    title: str | None,
    body: str | None,
    client_token: str | None = None,
) -> tuple[int, bool]:
    """Open a topic with its first post; (topic id, whether it was created now)."""
    title, body = clean_text(title, body, with_title=True)
    if kind not in {k.value for k in TopicKind}:
        raise DomainError(N_("Choose discussion or question."))
    category = await get_visible_category(member, category_id)
    draft = await _draft(member, body, client_token, category_id, kind, title)
    async with transaction():
        await lock_member(member.id)
        earlier = await _recent_duplicate(Topic, member.id, draft.key, draft.digest)
        if earlier is not None:
            return earlier, False
        now = utcnow()
        topic = Topic(
            category=category.id,
            author=member.id,
            kind=kind,
            title=title,
            search_text=normalize_for_search(title),
            last_activity_at=now,
            created_at=now,
            submission_key=draft.key,
            content_hash=draft.digest,
        )
        await topic.save()
        post_id = await _insert_post(member, topic.id, 1, draft, now)
        await Topic.update({Topic.last_post_id: post_id}).where(Topic.id == topic.id)
        await mark_read(member.id, topic.id, post_id)
        await _signal(member, SignalKind.topic_created, Subject(SubjectType.topic, topic.id), now)
        await notify(
            draft.mentioned,
            NotificationKind.mention,
            topic=TopicAudience(topic.id, False, category.visibility, category.account),
            post_id=post_id,
            actor_id=member.id,
        )
    return topic.id, True


async def reply_to_topic(
    member: Member, topic_id: int, body: str | None, client_token: str | None = None
) -> tuple[int, int, bool]:
    """Add a reply; (post id, its number, whether it was created now)."""
    _, body = clean_text(None, body, with_title=False)
    draft = await _draft(member, body, client_token, topic_id)
    async with transaction():
        topic = await topic_for_write(member, topic_id)
        if topic.locked and not member.is_staff:
            raise Forbidden(N_("This topic is locked. No more replies can be posted."))
        earlier = await _recent_duplicate(Post, member.id, draft.key, draft.digest, topic_id)
        if earlier is not None:
            row = await Post.select(Post.number).where(Post.id == earlier).first()
            return earlier, row["number"] if row else 0, False
        now, number = utcnow(), topic.post_count + 1
        post_id = await _insert_post(member, topic_id, number, draft, now)
        changes: dict[Any, Any] = {
            Topic.post_count: number,
            Topic.last_post_id: post_id,
            Topic.last_activity_at: now,
        }
        if topic.first_response_at is None and member.id != topic.author:
            changes[Topic.first_response_at] = now
        await Topic.update(changes).where(Topic.id == topic_id)
        await mark_read(member.id, topic_id, post_id)
        await _signal(member, SignalKind.reply_created, Subject(SubjectType.post, post_id), now)
        replied = await notify(
            {topic.author},
            NotificationKind.reply,
            topic=topic.audience,
            post_id=post_id,
            actor_id=member.id,
        )
        await notify(
            draft.mentioned - set(replied),
            NotificationKind.mention,
            topic=topic.audience,
            post_id=post_id,
            actor_id=member.id,
        )
    return post_id, number, True


async def _recent_duplicate(
    table: type[Topic] | type[Post],
    author_id: int,
    key: str | None,
    digest: str,
    topic_id: int | None = None,
) -> int | None:
    """The id of the same submission made moments ago (same form token, or same text in 10 s)."""
    same_text = (
        (table.author == author_id)
        & (table.content_hash == digest)
        & (table.created_at > utcnow() - DUPLICATE_WINDOW)
    )
    if topic_id is not None:
        same_text = same_text & (Post.topic == topic_id)
    condition = (table.submission_key == key) | same_text if key else same_text
    row = await table.select(table.id).where(condition).first()
    return row["id"] if row else None


# --- edits and deletions -----------------------------------------------------------------


async def edit_post(member: Member, post_id: int, body: str | None) -> tuple[int, int]:
    """Replace a post's text, keeping the previous text in its history; (topic id, number)."""
    _, body = clean_text(None, body, with_title=False)
    html, search_text, mentioned = await render_body(body)
    async with transaction():
        post, topic = await post_for_write(member, post_id)
        if post.author != member.id and not member.is_staff:
            raise Forbidden(N_("You can edit only your own posts."))
        if post.deleted_at is not None:
            raise Conflict(N_("This post was deleted and can no longer be edited."))
        if post.hidden and not member.is_staff:
            raise Forbidden(N_("This post is hidden by staff and cannot be edited."))
        if post.body_markdown == body:
            return topic.id, post.number
        await PostRevision(
            post=post_id,
            editor=member.id,
            body_markdown=post.body_markdown,
            body_html=post.body_html,
        ).save()
        await Post.update(
            {
                Post.body_markdown: body,
                Post.body_html: html,
                Post.search_text: search_text,
                Post.edited_at: utcnow(),
            }
        ).where(Post.id == post_id)
        await notify(
            mentioned,
            NotificationKind.mention,
            topic=topic.audience,
            post_id=post_id,
            actor_id=member.id,
        )
    return topic.id, post.number


async def delete_post(member: Member, post_id: int) -> tuple[int, int]:
    """Soft-delete a post (its author or staff); an accepted answer stops being accepted."""
    async with transaction():
        post, topic = await post_for_write(member, post_id)
        if post.author != member.id and not member.is_staff:
            raise Forbidden(N_("You can delete only your own posts."))
        if post.deleted_at is None:
            await Post.update({Post.deleted_at: utcnow()}).where(Post.id == post_id)
            await clear_accepted_if(topic, post_id)
    return topic.id, post.number


async def clear_accepted_if(topic: LockedTopic, post_id: int) -> None:
    """A removed post (deleted or hidden) cannot stay the accepted answer."""
    if topic.accepted_post_id == post_id:
        await Topic.update({Topic.accepted_post_id: None, Topic.solved: False}).where(
            Topic.id == topic.id
        )

"""Reading the forum: topic lists by last activity (keyset pages), the topic page, read state.

The topic page costs a constant number of queries whatever its length: the topic with the
reader's read state, then the page's posts with their authors, accounts and the reader's likes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from accounts.tables import Member
from community.notifications import mark_topic_read
from community.rows import PostRow, TopicRow
from community.services import TOPIC_NOT_FOUND, mark_read
from community.tables import Post, TopicKind
from community.visibility import SQL, fetch_dicts, visible_sql
from core.errors import DomainError, NotFound
from core.i18n import N_
from core.ids import ID_MAX

TOPICS_PER_PAGE = 30
POSTS_PER_PAGE = 100

_TOPIC_COLUMNS = (
    "t.id, t.title, t.kind, t.pinned, t.locked, t.hidden, t.solved, t.accepted_post_id, "
    "t.post_count, t.last_post_id, t.last_activity_at, t.created_at, t.category AS category_id, "
    "c.name AS category_name, a.id AS author_id, a.display_name AS author_name, "
    "a.handle AS author_handle, a.role AS author_role, acc.name AS account_name, "
    "r.last_read_post_id"
)
_TOPIC_FROM = (
    "FROM community_topic t JOIN community_category c ON c.id = t.category "
    "JOIN accounts_member a ON a.id = t.author "
    "LEFT JOIN accounts_account acc ON acc.id = a.account "
    "LEFT JOIN community_topic_read r ON r.topic = t.id AND r.member = {} "
)


def post_url(topic_id: int, number: int) -> str:
    """Where a post is shown: its topic's page, at its anchor."""
    page = (number - 1) // POSTS_PER_PAGE + 1
    query = f"?page={page}" if page > 1 else ""
    return f"/community/t/{topic_id}{query}#post-{number}"


# --- keyset pagination -------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """Where a page of a topic list ends: the last topic's (last_activity_at, id)."""

    at: datetime
    id: int

    def encode(self) -> str:
        micros = round(self.at.timestamp() * 1_000_000)
        return f"{micros}_{self.id}"

    @classmethod
    def decode(cls, text: str) -> Cursor:
        try:
            micros, _, topic_id = text.partition("_")
            moment = datetime.fromtimestamp(int(micros) / 1_000_000, tz=UTC)
            if not 0 < int(topic_id) <= ID_MAX:
                raise ValueError(topic_id)
            return cls(moment.replace(microsecond=int(micros) % 1_000_000), int(topic_id))
        except (ValueError, OverflowError, OSError) as exc:
            raise DomainError(
                N_("This page link is not valid. Start again from the first page.")
            ) from exc


@dataclass
class TopicList:
    topics: list[TopicRow]
    next_cursor: str | None
    pinned: list[TopicRow] = field(default_factory=list)


async def list_topics(
    member: Member,
    *,
    category_id: int | None = None,
    status: str | None = None,
    cursor: str | None = None,
    author_id: int | None = None,
    limit: int = TOPICS_PER_PAGE,
) -> TopicList:
    """Topics `member` may read, newest activity first; pinned ones lead the first page."""
    after = Cursor.decode(cursor) if cursor else None
    where = visible_sql(member)
    if category_id is not None:
        where += SQL(" AND t.category = {}", category_id)
    if author_id is not None:
        where += SQL(" AND t.author = {}", author_id)
    if status in ("solved", "unsolved"):
        solved = status == "solved"
        where += SQL(" AND t.kind = {} AND t.solved = {}", TopicKind.question.value, solved)
    pinned: list[TopicRow] = []
    page_where = where
    if status is None and author_id is None:
        # Pinned topics lead the first page in a block of their own, and never appear in the
        # pages that follow, whatever their last activity.
        if after is None:
            pinned = await _select_topics(member, where + SQL(" AND t.pinned = {}", True), 20)
        page_where = where + SQL(" AND t.pinned = {}", False)
    if after is not None:
        page_where += SQL(
            " AND (t.last_activity_at < {} OR (t.last_activity_at = {} AND t.id < {}))",
            after.at,
            after.at,
            after.id,
        )
    rows = await _select_topics(member, page_where, limit + 1)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = Cursor(rows[-1].last_activity_at, rows[-1].id).encode()
    return TopicList(topics=rows, next_cursor=next_cursor, pinned=pinned)


async def _select_topics(member: Member, where: SQL, limit: int) -> list[TopicRow]:
    rows = await fetch_dicts(
        f"SELECT {_TOPIC_COLUMNS} {_TOPIC_FROM} WHERE {where.text} "
        "ORDER BY t.last_activity_at DESC, t.id DESC LIMIT {}",
        member.id,
        *where.args,
        limit,
    )
    return [TopicRow.of(row) for row in rows]


# --- the topic page ----------------------------------------------------------------------


@dataclass
class TopicPage:
    topic: TopicRow
    posts: list[PostRow]
    accepted: PostRow | None
    page: int
    pages: int
    first_new_id: int | None


async def load_topic_page(
    member: Member, topic_id: int, page: int | None = None, *, mark: bool = True
) -> TopicPage:
    """The topic and one page of its posts; marks the topic read up to its newest post."""
    topic = await _topic_with_read_state(member, topic_id)
    pages = max(1, math.ceil(topic.post_count / POSTS_PER_PAGE))
    last_read = topic.last_read_post_id or 0
    if page is None:
        page = await _page_of_first_unread(topic, last_read) if pages > 1 else 1
    page = min(max(page, 1), pages)
    posts = await _posts_of_page(member, topic, page)
    accepted = None
    on_page: list[PostRow] = []
    low = (page - 1) * POSTS_PER_PAGE
    for post in posts:
        post = post.as_accepted(topic.accepted_post_id)
        if post.accepted and post.visible:
            accepted = post
        if low < post.number <= low + POSTS_PER_PAGE:
            on_page.append(post)
    fresh = [p.id for p in on_page if p.id > last_read] if topic.last_read_post_id else []
    if mark and topic.last_post_id and topic.last_post_id > last_read:
        await mark_read(member.id, topic_id, topic.last_post_id)
        await mark_topic_read(member.id, topic_id)
    return TopicPage(
        topic=topic,
        posts=on_page,
        accepted=accepted,
        page=page,
        pages=pages,
        first_new_id=min(fresh) if fresh else None,
    )


async def _topic_with_read_state(member: Member, topic_id: int) -> TopicRow:
    visible = visible_sql(member)
    rows = await fetch_dicts(
        f"SELECT {_TOPIC_COLUMNS}, c.visibility, c.account AS category_account {_TOPIC_FROM} "
        f"WHERE t.id = {{}} AND {visible.text}",
        member.id,
        topic_id,
        *visible.args,
    )
    if not rows:
        raise NotFound(TOPIC_NOT_FOUND)
    return TopicRow.of(rows[0])


async def _page_of_first_unread(topic: TopicRow, last_read: int) -> int:
    if not last_read:
        return 1
    row = (
        await Post.select(Post.number)
        .where((Post.topic == topic.id) & (Post.id > last_read))
        .order_by(Post.number)
        .first()
    )
    number = row["number"] if row else topic.post_count
    return (number - 1) // POSTS_PER_PAGE + 1


_POST_SELECT = (
    "SELECT p.id, p.number, p.author, p.body_html, p.like_count, p.hidden, p.hidden_reason, "
    "p.deleted_at, p.edited_at, p.created_at, a.display_name AS author_name, "
    "a.handle AS author_handle, a.role AS author_role, acc.name AS account_name, "
    "l.id AS my_like FROM community_post p JOIN accounts_member a ON a.id = p.author "
    "LEFT JOIN accounts_account acc ON acc.id = a.account "
    "LEFT JOIN community_post_like l ON l.post = p.id AND l.member = {} "
)


async def _posts_of_page(member: Member, topic: TopicRow, page: int) -> list[PostRow]:
    """The page's posts (and the accepted answer, wherever it is) in one query."""
    low = (page - 1) * POSTS_PER_PAGE
    rows = await fetch_dicts(
        _POST_SELECT + "WHERE p.topic = {} AND ((p.number > {} AND p.number <= {}) OR p.id = {}) "
        "ORDER BY p.number",
        member.id,
        topic.id,
        low,
        low + POSTS_PER_PAGE,
        topic.accepted_post_id or 0,
    )
    return [PostRow.of(row, member) for row in rows]


async def load_post(member: Member, topic_id: int, post_id: int) -> PostRow:
    """One post of a topic the member has just read, shaped like the topic page's posts."""
    rows = await fetch_dicts(
        _POST_SELECT + "WHERE p.id = {} AND p.topic = {}", member.id, post_id, topic_id
    )
    if not rows:
        raise NotFound(N_("This post does not exist, or you cannot see it."))
    return PostRow.of(rows[0], member)


async def quoted_markdown(member: Member, topic_id: int, post_id: int) -> str:
    """A post's text as a Markdown quote for a reply box ('' unless `member` may read it)."""
    query = SQL(
        "SELECT p.body_markdown, a.display_name FROM community_post p "
        "JOIN accounts_member a ON a.id = p.author JOIN community_topic t ON t.id = p.topic "
        "JOIN community_category c ON c.id = t.category "
        "WHERE p.id = {} AND p.topic = {} AND p.deleted_at IS NULL AND p.hidden = {} AND ",
        post_id,
        topic_id,
        False,
    ) + visible_sql(member)
    rows = await fetch_dicts(query.text, *query.args)
    if not rows:
        return ""
    lines = [f"> **{rows[0]['display_name']}**:", ">"]
    lines += [f"> {line}" if line else ">" for line in rows[0]["body_markdown"].splitlines()]
    return "\n".join(lines) + "\n\n"


async def member_profile(member: Member, handle: str) -> tuple[dict[str, Any], TopicList]:
    """A member's public card and the topics they opened that the viewer may read."""
    person = (
        await Member.select(
            Member.id,
            Member.display_name,
            Member.handle,
            Member.role,
            Member.account.name.as_alias("account_name"),
        )
        .where((Member.handle == handle) & Member.active.eq(True))
        .first()
    )
    if person is None:
        raise NotFound(N_("This member does not exist."))
    topics = await list_topics(member, author_id=person["id"], limit=20)
    return person, topics

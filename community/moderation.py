"""Staff moderation: pin, lock, hide, move; flags and their review queue; unanswered questions
and time to first response."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from typing import Any

from accounts.tables import Member
from community.categories import get_category
from community.rows import StoredPost
from community.services import clear_accepted_if, post_for_write, topic_for_write
from community.tables import Flag, HiddenReason, Post, PostRevision, Topic, TopicKind
from community.visibility import fetch_dicts
from core.database import transaction
from core.errors import DomainError, Forbidden
from core.i18n import N_
from core.timeutil import utcnow

FLAGS_TO_HIDE = 3
TOPIC_SWITCHES = {"pinned": Topic.pinned, "locked": Topic.locked, "hidden": Topic.hidden}


def _require_staff(member: Member) -> None:
    if not member.is_staff:
        raise Forbidden()


async def set_topic_flag(member: Member, topic_id: int, name: str, value: bool) -> None:
    """Pin, lock or hide a topic (or undo it)."""
    _require_staff(member)
    column = TOPIC_SWITCHES[name]
    async with transaction():
        await topic_for_write(member, topic_id)
        await Topic.update({column: value}).where(Topic.id == topic_id)


async def move_topic(member: Member, topic_id: int, category_id: int) -> None:
    _require_staff(member)
    async with transaction():
        await topic_for_write(member, topic_id)
        await get_category(category_id)
        await Topic.update({Topic.category: category_id}).where(Topic.id == topic_id)


async def set_post_hidden(member: Member, post_id: int, hidden: bool) -> tuple[int, int]:
    """Hide a post (staff) or restore it; restoring also settles its open flags."""
    _require_staff(member)
    async with transaction():
        post, topic = await post_for_write(member, post_id)
        reason = HiddenReason.staff.value if hidden else HiddenReason.none.value
        await Post.update({Post.hidden: hidden, Post.hidden_reason: reason}).where(
            Post.id == post_id
        )
        if hidden:
            await clear_accepted_if(topic, post_id)
        else:
            await _resolve_flags(member, post_id)
    return topic.id, post.number


# --- flags -------------------------------------------------------------------------------


async def flag_post(member: Member, post_id: int, reason: str, note: str | None) -> bool:
    """Report a post; the third distinct open report hides it until staff review.

    True when the post became hidden now. Reporting the same post again changes nothing.
    """
    async with transaction():
        post, topic = await post_for_write(member, post_id)
        if post.author == member.id:
            raise DomainError(N_("You cannot flag your own post."))
        if post.deleted_at is not None:
            raise DomainError(N_("This post was deleted."))
        await Flag.insert(
            Flag(post=post_id, member=member.id, reason=reason, note=(note or "").strip()[:500])
        ).on_conflict(target=(Flag.post, Flag.member), action="DO NOTHING")
        open_flags = await Flag.count().where((Flag.post == post_id) & Flag.resolved_at.is_null())
        if open_flags >= FLAGS_TO_HIDE and not post.hidden:
            await Post.update(
                {Post.hidden: True, Post.hidden_reason: HiddenReason.flags.value}
            ).where(Post.id == post_id)
            await clear_accepted_if(topic, post_id)
            return True
    return False


async def review_flags(member: Member, post_id: int, decision: str) -> None:
    """Settle a post's open flags: restore it, or keep it hidden (as hidden by staff)."""
    _require_staff(member)
    async with transaction():
        _, topic = await post_for_write(member, post_id)
        hide = decision == "hide"
        reason = HiddenReason.staff.value if hide else HiddenReason.none.value
        await Post.update({Post.hidden: hide, Post.hidden_reason: reason}).where(Post.id == post_id)
        if hide:
            await clear_accepted_if(topic, post_id)
        await _resolve_flags(member, post_id)


async def _resolve_flags(member: Member, post_id: int) -> None:
    await Flag.update({Flag.resolved_at: utcnow(), Flag.resolved_by: member.id}).where(
        (Flag.post == post_id) & Flag.resolved_at.is_null()
    )


async def review_queue() -> list[dict[str, Any]]:
    """Posts with open flags, most flagged first, with the reasons given."""
    rows = await fetch_dicts(
        "SELECT p.id, p.number, p.topic, p.body_html, p.hidden, p.hidden_reason, "
        "t.title AS topic_title, a.display_name AS author_name, f.reason, f.note, "
        "m.display_name AS flagger_name FROM community_flag f "
        "JOIN community_post p ON p.id = f.post JOIN community_topic t ON t.id = p.topic "
        "JOIN accounts_member a ON a.id = p.author JOIN accounts_member m ON m.id = f.member "
        "WHERE f.resolved_at IS NULL ORDER BY p.id, f.id"
    )
    posts: dict[int, dict[str, Any]] = {}
    for row in rows:
        entry = posts.setdefault(row["id"], {**row, "flags": []})
        entry["flags"].append(
            {"reason": row["reason"], "note": row["note"], "by": row["flagger_name"]}
        )
    return sorted(posts.values(), key=lambda p: (-len(p["flags"]), p["id"]))


# --- unanswered and response times -------------------------------------------------------


async def unanswered_questions(limit: int = 100) -> list[dict[str, Any]]:
    """Open questions nobody but the asker has replied to, oldest first, with their age."""
    rows = await fetch_dicts(
        "SELECT t.id, t.title, t.created_at, c.name AS category_name, "
        "a.display_name AS author_name, acc.name AS account_name FROM community_topic t "
        "JOIN community_category c ON c.id = t.category JOIN accounts_member a ON a.id = t.author "
        "LEFT JOIN accounts_account acc ON acc.id = a.account "
        "WHERE t.kind = {} AND t.solved = {} AND t.hidden = {} AND NOT EXISTS ("
        "SELECT 1 FROM community_post p WHERE p.topic = t.id AND p.author <> t.author "
        "AND p.deleted_at IS NULL AND p.hidden = {}) ORDER BY t.created_at, t.id LIMIT {}",
        TopicKind.question.value,
        False,
        False,
        False,
        limit,
    )
    now = utcnow()
    for row in rows:
        row["age"] = now - row["created_at"]
        row["age_days"] = row["age"].days
        row["age_hours"] = row["age"].seconds // 3600
    return rows


async def unanswered_by_account(older_than: datetime) -> dict[int, dict[str, Any]]:
    """{account id: {"count", "oldest_id", "oldest_at"}} of the open questions its members
    asked before `older_than` that nobody else has answered: one grouped query (the CSM's
    playbooks read it for every account at once)."""
    rows = await fetch_dicts(
        "SELECT a.account, COUNT(*) AS n, MIN(t.created_at) AS oldest_at, MIN(t.id) AS oldest_id "
        "FROM community_topic t JOIN accounts_member a ON a.id = t.author "
        "WHERE a.account IS NOT NULL AND t.kind = {} AND t.solved = {} AND t.hidden = {} "
        "AND t.created_at < {} AND NOT EXISTS (SELECT 1 FROM community_post p "
        "WHERE p.topic = t.id AND p.author <> t.author AND p.deleted_at IS NULL AND p.hidden = {}) "
        "GROUP BY a.account",
        TopicKind.question.value,
        False,
        False,
        older_than,
        False,
    )
    return {
        row["account"]: {
            "count": int(row["n"]),
            "oldest_id": row["oldest_id"],
            "oldest_at": row["oldest_at"],
        }
        for row in rows
    }


async def response_times(days: int = 30) -> list[dict[str, Any]]:
    """Per category, over topics opened in the last `days`: how many got a response from
    someone other than the author, and the median and mean hours until the first one."""
    since = utcnow() - timedelta(days=days)
    rows = await fetch_dicts(
        "SELECT c.id, c.name, t.created_at, t.first_response_at FROM community_topic t "
        "JOIN community_category c ON c.id = t.category "
        "WHERE t.created_at >= {} AND t.hidden = {} ORDER BY c.position, c.name, c.id",
        since,
        False,
    )
    stats: dict[int, dict[str, Any]] = {}
    for row in rows:
        entry = stats.setdefault(
            row["id"], {"category": row["name"], "topics": 0, "responded": 0, "hours": []}
        )
        entry["topics"] += 1
        if row["first_response_at"] is not None:
            entry["responded"] += 1
            waited = _as_datetime(row["first_response_at"]) - _as_datetime(row["created_at"])
            entry["hours"].append(waited.total_seconds() / 3600)
    for entry in stats.values():
        hours = entry.pop("hours")
        entry["median_hours"] = statistics.median(hours) if hours else None
        entry["mean_hours"] = statistics.fmean(hours) if hours else None
    return list(stats.values())


def _as_datetime(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


async def post_history(
    member: Member, post_id: int
) -> tuple[StoredPost, str, list[dict[str, Any]]]:
    """A post and its earlier versions, newest first (staff only)."""
    _require_staff(member)
    post, topic = await post_for_write(member, post_id)
    revisions = (
        await PostRevision.select(
            PostRevision.id,
            PostRevision.body_html,
            PostRevision.created_at,
            PostRevision.editor.display_name.as_alias("editor_name"),
        )
        .where(PostRevision.post == post_id)
        .order_by(PostRevision.id, ascending=False)
    )
    return post, topic.title, revisions

"""The content library's behaviour: what a member may see, opening an item (a tracked view),
marking it done, and staff writing items.

A member sees the published items of their audience (every account, their account's touch
tier, or their account among the chosen ones); staff see every item. Opening an item records
`content_viewed` once per member, item and day (the member's own day); marking it done records
`content_completed` once per member and item, with the item's minutes as its value (what the
hybrid mix counts as digital touch), and tells the CONTENT_COMPLETED listeners.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from accounts.audience import Audience, admits, check_audience
from accounts.tables import Account, Member
from content.hooks import CompletionListener
from content.rows import ContentRow
from content.schemas import TITLE_MAX, ContentIn
from content.tables import ContentAudienceAccount, ContentItem, ContentProgress
from core.database import fetch, transaction
from core.errors import Forbidden, NotFound
from core.forms import Problems, refuse
from core.i18n import N_
from core.markdown import render_markdown
from core.timeutil import utcnow
from engagement.signals import NewSignal, SignalKind, Subject, SubjectType, record_signals

CONTENT_NOT_FOUND = N_("This content does not exist, or you cannot see it.")
LIBRARY_LIMIT = 500


async def _account_tier(account_id: int) -> str | None:
    row = await Account.select(Account.touch_tier).where(Account.id == account_id).first()
    return row["touch_tier"] if row else None


async def _audience_where(account_id: int) -> Any:
    """Which items the members of an account may see: published and in their audience."""
    where: Any = ContentItem.audience == Audience.all.value
    tier = await _account_tier(account_id)
    if tier:
        where = where | (
            (ContentItem.audience == Audience.tiers.value)
            & ContentItem.audience_tiers.like(f"%{tier}%")
        )
    chosen = await ContentAudienceAccount.select(ContentAudienceAccount.item).where(
        ContentAudienceAccount.account == account_id
    )
    ids = [row["item"] for row in chosen]
    if ids:
        where = where | (
            (ContentItem.audience == Audience.accounts.value) & ContentItem.id.is_in(ids)
        )
    return ContentItem.published.eq(True) & where


async def library(member: Member, *, tag: str | None = None) -> list[ContentRow]:
    """The items `member` may see, newest first, with their progress (staff: every item)."""
    query = ContentItem.select().order_by(ContentItem.id, ascending=False).limit(LIBRARY_LIMIT)
    if not member.is_staff:
        if member.account is None:
            return []
        query = query.where(await _audience_where(member.account))
    rows = [ContentRow.of(row) for row in await query]
    if tag:
        rows = [row for row in rows if tag in row.tag_list]
    return await with_progress(member.id, rows)


async def with_progress(member_id: int, rows: Sequence[ContentRow]) -> list[ContentRow]:
    """`rows` with the member's first view and completion."""
    if not rows:
        return []
    progress = {
        row["item"]: row
        for row in await ContentProgress.select(
            ContentProgress.item, ContentProgress.first_viewed_at, ContentProgress.completed_at
        ).where(
            (ContentProgress.member == member_id)
            & ContentProgress.item.is_in([row.id for row in rows])
        )
    }
    return [
        row.with_progress(progress[row.id]["first_viewed_at"], progress[row.id]["completed_at"])
        if row.id in progress
        else row
        for row in rows
    ]


async def visible_item(member: Member, item_id: int) -> ContentRow:
    """The item if `member` may see it, with their progress; else NotFound (as for none)."""
    row = await ContentItem.select().where(ContentItem.id == item_id).first()
    if row is None:
        raise NotFound(CONTENT_NOT_FOUND)
    item = ContentRow.of(row)
    if not member.is_staff and not await _admits(member, item):
        raise NotFound(CONTENT_NOT_FOUND)
    [item] = await with_progress(member.id, [item])
    return item


async def _admits(member: Member, item: ContentRow) -> bool:
    if not item.published or member.account is None:
        return False
    chosen = (
        item.audience == Audience.accounts.value
        and await ContentAudienceAccount.exists().where(
            (ContentAudienceAccount.item == item.id)
            & (ContentAudienceAccount.account == member.account)
        )
    )
    tier = await _account_tier(member.account)
    return admits(item.audience, item.audience_tiers, tier, chosen)


async def items_for_account(account_id: int) -> list[ContentRow]:
    """The published items an account's members may see, by title: what homework is chosen
    from."""
    rows = (
        await ContentItem.select()
        .where(await _audience_where(account_id))
        .order_by(ContentItem.title)
    )
    return [ContentRow.of(row) for row in rows]


async def items_by_id(item_ids: Iterable[int]) -> dict[int, ContentRow]:
    ids = sorted(set(item_ids))
    if not ids:
        return {}
    rows = await ContentItem.select().where(ContentItem.id.is_in(ids))
    return {row["id"]: ContentRow.of(row) for row in rows}


# --- a member takes content in ------------------------------------------------------------


async def open_item(member: Member, item_id: int) -> ContentRow:
    """A tracked view: the member's progress, and `content_viewed` once per member, item and
    day (in the member's time zone). Staff views are not counted."""
    item = await visible_item(member, item_id)
    if member.is_staff:
        return item
    now = utcnow()
    day = now.astimezone(ZoneInfo(member.timezone or "Asia/Tokyo")).date().isoformat()
    async with transaction():
        await _touch_progress(member.id, item_id, now, viewed=True)
        await record_signals(
            NewSignal(
                SignalKind.content_viewed,
                member.account,
                member.id,
                Subject(SubjectType.content, item_id),
                now,
                detail=f"{member.id}:{day}",
            )
        )
    return item.with_progress(item.viewed_at or now, item.completed_at)


async def complete_item(
    member: Member, item_id: int, listeners: Sequence[CompletionListener] = ()
) -> bool:
    """Mark the item done (once; True the first time) and tell `listeners` (the wiring's
    CONTENT_COMPLETED ones, e.g. homework). Staff have nothing to complete."""
    if member.is_staff:
        raise Forbidden(N_("Only members of a customer account complete content."))
    item = await visible_item(member, item_id)
    if item.done:
        return False
    now = utcnow()
    async with transaction():
        first = await _touch_progress(member.id, item_id, now, viewed=False, completed=True)
        if not first:
            return False  # a concurrent click won
        await record_signals(
            NewSignal(
                SignalKind.content_completed,
                member.account,
                member.id,
                Subject(SubjectType.content, item_id),
                now,
                value=float(item.minutes),
                detail=str(member.id),
            )
        )
        for listener in listeners:
            await listener(member.id, item_id, now)
    return True


async def _touch_progress(
    member_id: int, item_id: int, now: datetime, *, viewed: bool, completed: bool = False
) -> bool:
    """Create or update the member's progress row; with `completed`, True only for the call
    that set the completion (the row's update is the arbiter between concurrent clicks)."""
    await ContentProgress.insert(
        ContentProgress(member=member_id, item=item_id, views=0)
    ).on_conflict(target=(ContentProgress.member, ContentProgress.item), action="DO NOTHING")
    mine = (ContentProgress.member == member_id) & (ContentProgress.item == item_id)
    if viewed:
        await ContentProgress.update(
            {
                ContentProgress.views: ContentProgress.views + 1,
                ContentProgress.last_viewed_at: now,
            }
        ).where(mine)
        await ContentProgress.update({ContentProgress.first_viewed_at: now}).where(
            mine & ContentProgress.first_viewed_at.is_null()
        )
    if not completed:
        return True
    done = (
        await ContentProgress.update({ContentProgress.completed_at: now})
        .where(mine & ContentProgress.completed_at.is_null())
        .returning(ContentProgress.id)
    )
    return bool(done)


# --- staff write the library -------------------------------------------------------------


def _require_staff(actor: Member) -> None:
    if not actor.is_staff:
        raise Forbidden(N_("Only staff can edit the content library."))


def _http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in url


def _values(data: ContentIn) -> tuple[dict[str, Any], Problems]:
    problems: Problems = {}
    title = (data.title or "").strip()
    if not title:
        problems["title"] = (N_("Enter a title."), {})
    elif len(title) > TITLE_MAX:
        problems["title"] = (
            N_("Keep the title to %(max)s characters or fewer (now %(count)s)."),
            {"max": TITLE_MAX, "count": len(title)},
        )
    url = (data.url or "").strip()
    body = (data.body or "").strip()
    if url and not _http_url(url):
        problems["url"] = (N_("Enter a URL starting with http:// or https://."), {})
    if not url and not body:
        problems["body"] = (N_("Give the item a link or a text."), {})
    tags = " ".join(dict.fromkeys((data.tags or "").replace(",", " ").lower().split()))
    values = {
        "title": title,
        "summary": (data.summary or "").strip(),
        "kind": data.kind,
        "url": url,
        "body_markdown": body,
        "body_html": render_markdown(body),
        "minutes": data.minutes,
        "tags": tags[:300],
        "audience": data.audience,
        "audience_tiers": " ".join(sorted(set(data.audience_tiers)))
        if data.audience == Audience.tiers.value
        else "",
        "published": data.published,
    }
    return values, problems


async def save_item(actor: Member, item_id: int | None, data: ContentIn) -> int:
    """Create (item_id None) or update an item with its audience, in one transaction."""
    _require_staff(actor)
    values, problems = _values(data)
    accounts, audience_problems = await check_audience(
        data.audience, list(data.audience_tiers), list(data.audience_accounts)
    )
    problems.update(audience_problems)
    refuse(problems)
    async with transaction():
        if item_id is None:
            item = ContentItem(**values, created_by=actor.id)
            await item.save()
            item_id = int(item.id)
        else:
            if not await ContentItem.exists().where(ContentItem.id == item_id):
                raise NotFound(CONTENT_NOT_FOUND)
            columns = {getattr(ContentItem, name): value for name, value in values.items()}
            await ContentItem.update({**columns, ContentItem.updated_at: utcnow()}).where(
                ContentItem.id == item_id
            )
        await ContentAudienceAccount.delete().where(ContentAudienceAccount.item == item_id)
        if accounts:
            await ContentAudienceAccount.insert(
                *[ContentAudienceAccount(item=item_id, account=a) for a in accounts]
            )
    return item_id


async def audience_account_ids(item_id: int) -> list[int]:
    rows = await ContentAudienceAccount.select(ContentAudienceAccount.account).where(
        ContentAudienceAccount.item == item_id
    )
    return sorted(row["account"] for row in rows)


async def item_markdown(item_id: int) -> str:
    row = (
        await ContentItem.select(ContentItem.body_markdown).where(ContentItem.id == item_id).first()
    )
    if row is None:
        raise NotFound(CONTENT_NOT_FOUND)
    return str(row["body_markdown"])


async def unseen_count(member: Member) -> int:
    """How many items of the member's library they have not opened yet."""
    return sum(1 for item in await library(member) if item.new)


async def item_stats(item_ids: list[int]) -> dict[int, dict[str, int]]:
    """{item id: {"viewers": members who opened it, "completed": members who finished it}}."""
    if not item_ids:
        return {}
    rows = await fetch(
        "SELECT item, COUNT(first_viewed_at) AS viewers, COUNT(completed_at) AS completed "
        "FROM content_progress WHERE item IN ("
        + ", ".join("{}" for _ in item_ids)
        + ") GROUP BY item",
        *item_ids,
    )
    return {row["item"]: {"viewers": row["viewers"], "completed": row["completed"]} for row in rows}

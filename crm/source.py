"""The one place CRM export reads scores: keyset-paginated, streamed in chunks.

Everything else (files, pull API, webhooks, CRM pushes) sees `ScoreRow`s, so a change of the
score table's columns is adapted here and nowhere else. Each chunk also carries the CSM's
workbench figures (success.figures: human share of touch, last 1:1 touch, open tasks), read
for the chunk's accounts at once; a row built from a score change alone has none.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from piccolo.columns.combination import WhereRaw

from accounts.tables import Account
from crm.tables import SyncState
from engagement.tables import AccountScore
from success.figures import AccountFigures, account_figures

CHUNK_SIZE = 1000


@dataclass(frozen=True, slots=True)
class ScoreRow:
    """An account's current score with what identifies it in the CRM."""

    account_id: int
    account_name: str
    external_id: str | None
    score: float
    band: str
    trend: str
    community: float
    events: float
    breadth: float
    recency: float
    last_activity_at: datetime | None
    updated_at: datetime
    human_share: float | None = None  # % of human touch, last 30 days (success.figures)
    last_human_touch_at: datetime | None = None
    open_tasks: int | None = None

    @property
    def position(self) -> tuple[datetime, int]:
        """Where the row sits in the export order (updated_at, account_id)."""
        return (self.updated_at, self.account_id)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _row(data: dict[str, Any]) -> ScoreRow:
    return ScoreRow(
        account_id=data["account"],
        account_name=data["account_name"],
        external_id=data["external_id"] or None,
        score=data["score"],
        band=data["band"],
        trend=data["trend"],
        community=data["community"],
        events=data["events"],
        breadth=data["breadth"],
        recency=data["recency"],
        last_activity_at=data["last_activity_at"],
        updated_at=data["updated_at"],
    )


def _with_figures(row: ScoreRow, figures: AccountFigures | None) -> ScoreRow:
    if figures is None:
        return row
    return replace(
        row,
        human_share=figures.human_share,
        last_human_touch_at=figures.last_human_touch_at,
        open_tasks=figures.open_tasks,
    )


def score_row(
    account_id: int, account_name: str, external_id: str | None, score: Mapping[str, Any]
) -> ScoreRow:
    """A ScoreRow from a score-table row given as a mapping (as SCORE_CHANGED listeners get it)."""
    return _row(
        {
            **score,
            "account": account_id,
            "account_name": account_name,
            "external_id": external_id,
        }
    )


def _query(
    updated_since: datetime | None,
    until: datetime | None,
    with_external_id: bool | None,
    unsent_for: str | None,
) -> Any:
    s = AccountScore
    query = s.select(
        s.account,
        s.account.name.as_alias("account_name"),
        s.account.crm_external_id.as_alias("external_id"),
        s.score,
        s.band,
        s.trend,
        s.community,
        s.events,
        s.breadth,
        s.recency,
        s.last_activity_at,
        s.updated_at,
    )
    if updated_since is not None:
        query = query.where(s.updated_at >= updated_since)
    if until is not None:
        query = query.where(s.updated_at < until)
    if with_external_id is True:
        query = query.where(s.account.crm_external_id.is_not_null())
    elif with_external_id is False:
        query = query.where(s.account.crm_external_id.is_null())
    if unsent_for is not None:
        table, state = s._meta.tablename, SyncState._meta.tablename
        query = query.where(
            WhereRaw(
                f'NOT EXISTS (SELECT 1 FROM "{state}" st WHERE st.crm = {{}} '  # noqa: S608
                f'AND st.account = "{table}".account '
                f'AND st.last_sent_updated_at >= "{table}".updated_at)',
                unsent_for,
            )
        )
    return query


async def iter_score_rows(
    *,
    updated_since: datetime | None = None,
    after: tuple[datetime, int] | None = None,
    until: datetime | None = None,
    with_external_id: bool | None = None,
    unsent_for: str | None = None,
    limit: int | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> AsyncIterator[ScoreRow]:
    """Current scores ascending by (updated_at, account_id), fetched `chunk_size` at a time.

    `updated_since` is inclusive, `after` an exclusive keyset position, `until` an exclusive
    upper bound; `with_external_id` filters on the CRM id; `unsent_for` keeps only scores newer
    than what that CRM last accepted. Memory holds one chunk, whatever the number of accounts.
    """
    s = AccountScore
    position = after
    remaining = limit
    while remaining is None or remaining > 0:
        size = chunk_size if remaining is None else min(chunk_size, remaining)
        query = _query(updated_since, until, with_external_id, unsent_for)
        if position is not None:
            moment, account_id = position
            query = query.where(
                (s.updated_at > moment) | ((s.updated_at == moment) & (s.account > account_id))
            )
        rows = await query.order_by(s.updated_at, s.account).limit(size)
        figures = await account_figures(row["account"] for row in rows)
        for data in rows:
            yield _with_figures(_row(data), figures.get(data["account"]))
        if len(rows) < size:
            return
        last = rows[-1]
        position = (last["updated_at"], last["account"])
        if remaining is not None:
            remaining -= len(rows)


async def count_score_rows(*, with_external_id: bool | None = None) -> int:
    """How many rows `iter_score_rows` would yield with the same filter (progress bars)."""
    s = AccountScore
    query = s.count()
    if with_external_id is True:
        query = query.where(s.account.crm_external_id.is_not_null())
    elif with_external_id is False:
        query = query.where(s.account.crm_external_id.is_null())
    return int(await query)


async def accounts_without_external_id(limit: int = 200) -> list[dict[str, Any]]:
    """Active accounts the CRM files cannot carry (no CRM id): listed, never silently dropped."""
    return (
        await Account.select(Account.id, Account.name)
        .where(Account.crm_external_id.is_null() & Account.active.eq(True))
        .order_by(Account.name)
        .limit(limit)
    )

"""Engagement scores as JSON: one account's score with history, and the staff list.

Staff see every account. A customer sees only their own account's score, and only when an
admin turned its self-view on; any other account answers 404, exactly like an unknown one.
(The CRM's token-authenticated pull API is /api/v1/scores, in crm/.)
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import QueryParameter

from core.errors import DomainError, NotFound
from core.guards import requires_member, requires_staff
from core.i18n import N_
from core.ids import ID_MAX, PathInt, in_range
from core.problems import SIGNED_IN, problem_responses
from engagement.account_detail import (
    ACCOUNT_NOT_FOUND,
    can_see_score,
    get_account,
    history,
    score_row,
)
from engagement.kinds import KIND_LABELS
from engagement.schemas import (
    AccountScoreDetail,
    AccountScoreList,
    AccountScoreOut,
    BandName,
    ExplainedSignal,
    ScoreHistoryPoint,
    ScoringSettings,
    TierName,
)
from engagement.scoring import recommended_tier
from engagement.tables import AccountScore
from engagement.versions import current_config

NOT_SCORED_YET = N_("This account has no score yet.")
MAX_LIMIT = 200


def score_out(account: dict[str, Any], score: dict[str, Any], settings: ScoringSettings) -> Any:
    """The API shape of a score row joined with its account (name, ARR, tier)."""
    explanation = score.get("explanation") or {}
    return {
        "account_id": account["id"],
        "account_name": account["name"],
        "score": score["score"],
        "band": score["band"],
        "trend": score["trend"],
        "baseline_score": score["baseline_score"],
        "community": score["community"],
        "events": score["events"],
        "breadth": score["breadth"],
        "recency": score["recency"],
        "last_activity_at": score["last_activity_at"],
        "flagged": bool(score["flagged"]),
        "recommended_tier": recommended_tier(int(account["arr"] or 0), settings),
        "assigned_tier": account["touch_tier"],
        "top_signals": [
            ExplainedSignal(
                kind=item["kind"],
                count=int(item["count"]),
                contribution=float(item["contribution"]),
            )
            for item in explanation.get("signals", [])
            if item.get("kind") in KIND_LABELS
        ],
        "computed_at": score["computed_at"],
        "updated_at": score["updated_at"],
    }


async def score_detail(account_id: int) -> AccountScoreDetail:
    account = await get_account(account_id)
    score = await score_row(account_id)
    if score is None:
        raise NotFound(NOT_SCORED_YET)
    _, settings = await current_config()
    points = [ScoreHistoryPoint(**point) for point in await history(account_id)]
    return AccountScoreDetail(**score_out(account, score, settings), history=points)


class EngagementApiController(Controller):
    """Engagement scores for staff (and for a customer's own account with the self-view)."""

    path = "/api/v1"
    guards = [requires_member]
    tags = ["engagement"]

    @get(
        "/accounts/{account_id:int}/score",
        responses=problem_responses(
            *SIGNED_IN, 404, described={404: "Unknown account, or not yours."}
        ),
    )
    async def account_score(
        self, request: Request[Any, Any, Any], account_id: PathInt
    ) -> AccountScoreDetail:
        """One account's score, measures, explanation and the last 180 days of history."""
        # Out of the id range names nothing: 404 like an unknown account (never reaches SQL).
        if not in_range(account_id) or not await can_see_score(request.user, account_id):
            raise NotFound(ACCOUNT_NOT_FOUND)
        return await score_detail(account_id)

    @get(
        "/engagement/accounts",
        guards=[requires_staff],
        responses=problem_responses(400, *SIGNED_IN),
    )
    async def list_scores(
        self,
        band: Annotated[BandName | None, QueryParameter(description="red, yellow or green")] = None,
        tier: Annotated[TierName | None, QueryParameter(description="Assigned touch tier")] = None,
        owner: Annotated[
            int | None, QueryParameter(ge=1, le=ID_MAX, description="Owner CSM id")
        ] = None,
        cursor: Annotated[
            str | None,
            QueryParameter(
                description="`next_cursor` of the previous page (empty: the first page)",
                pattern=r"^[0-9]{0,10}$",
            ),
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 50,
    ) -> AccountScoreList:
        """Scored active accounts ascending by account id, filtered by band, tier and owner."""
        rows = await _score_page(_after(cursor), limit + 1, band, tier, owner)
        _, settings = await current_config()
        items = [
            AccountScoreOut(**score_out(_account_of(row), row, settings)) for row in rows[:limit]
        ]
        more = len(rows) > limit
        return AccountScoreList(
            items=items, next_cursor=str(items[-1].account_id) if more else None
        )


def _after(cursor: str | None) -> int:
    """The account id a page starts after (0: the first page; an empty `cursor=` is none)."""
    if not cursor:
        return 0
    # An account id: beyond ID_MAX it names no row (and PostgreSQL's integer overflows).
    if not cursor.isdigit() or len(cursor) > 10 or int(cursor) > ID_MAX:
        message = N_("The cursor is not valid. Start again without a cursor.")
        raise DomainError(message, field_errors={"cursor": message})
    return int(cursor)


async def _score_page(
    after: int, limit: int, band: str | None, tier: str | None, owner: int | None
) -> list[dict[str, Any]]:
    query = (
        AccountScore.select(
            *AccountScore.all_columns(exclude=[AccountScore.id]),
            AccountScore.account.name.as_alias("account_name"),
            AccountScore.account.arr.as_alias("account_arr"),
            AccountScore.account.touch_tier.as_alias("account_tier"),
        )
        .where((AccountScore.account > after) & AccountScore.account._.active.eq(True))
        .order_by(AccountScore.account)
        .limit(limit)
        .output(load_json=True)
    )
    if band is not None:
        query = query.where(AccountScore.band == band)
    if tier is not None:
        query = query.where(AccountScore.account.touch_tier == tier)
    if owner is not None:
        query = query.where(AccountScore.account.owner == owner)
    return await query


def _account_of(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["account"],
        "name": row["account_name"],
        "arr": row["account_arr"],
        "touch_tier": row["account_tier"],
    }

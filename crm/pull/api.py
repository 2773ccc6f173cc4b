"""The reverse-ETL pull API (/api/v1/scores) and webhook management over the API."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.openapi.spec import OpenAPIFormat
from litestar.params import QueryParameter

from core.api_tokens import API_TOKEN_OPT, TOKEN_PROBLEMS, requires_scope
from core.errors import DomainError
from core.i18n import N_
from core.problems import problem_responses
from core.security import TokenError, sign, unsign
from core.timeutil import utcnow
from crm.files.formats import plain_values
from crm.pull.auth import BEARER_SCHEME, SESSION_SCHEME
from crm.schemas import (
    ScoreItem,
    ScorePage,
)
from crm.settings import CrmSettings
from crm.source import iter_score_rows

CURSOR_PURPOSE = "scores-cursor"
CURSOR_MAX_AGE = 10 * 365 * 86400  # a cursor is a position, not a session: it stays valid
MAX_LIMIT = 1000
Position = tuple[datetime, int]


def encode_cursor(secret: str, position: Position | None, updated_since: datetime | None) -> str:
    """Opaque, signed: base64url JSON of the last (updated_at, account_id) seen."""
    payload = {
        "p": [position[0].isoformat(), position[1]] if position else None,
        "s": updated_since.isoformat() if updated_since else None,
    }
    return sign(secret, CURSOR_PURPOSE, payload)


def decode_cursor(secret: str, cursor: str) -> tuple[Position | None, datetime | None]:
    try:
        payload = unsign(secret, CURSOR_PURPOSE, cursor, CURSOR_MAX_AGE)
        position = payload["p"]
        since = datetime.fromisoformat(payload["s"]) if payload["s"] else None
        if position is None:
            return None, since
        return (datetime.fromisoformat(position[0]), int(position[1])), since
    except (TokenError, KeyError, TypeError, ValueError, IndexError) as exc:
        message = N_("The cursor is not valid. Start again without a cursor.")
        raise DomainError(message, field_errors={"cursor": message}) from exc


# RFC 3339 date-time (the offset may be left out: UTC is meant).
_DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})?"
)


def parse_updated_since(value: str) -> datetime:
    """An ISO 8601 date and time. A bare number is refused rather than read as a Unix time."""
    text = value.strip()
    try:
        if not _DATE_TIME.fullmatch(text):
            raise ValueError(text)
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1] in "Zz" else text)
    except ValueError as exc:
        message = N_("Give updated_since as an ISO 8601 date and time, e.g. 2026-11-01T09:00:00Z.")
        raise DomainError(message, field_errors={"updated_since": message}) from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class ScoresApiController(Controller):
    """Current engagement scores for reverse-ETL tools, in a stable incremental order."""

    path = "/api/v1/scores"
    tags = ["crm"]
    opt = {API_TOKEN_OPT: True}
    guards = [requires_scope("scores:read")]
    security = [{BEARER_SCHEME: []}, {SESSION_SCHEME: []}]  # a token, or a staff session

    @get(
        "/",
        responses=problem_responses(
            400, 401, 403, 429, described={**TOKEN_PROBLEMS, 400: "Bad parameter or cursor."}
        ),
        summary="List scores changed since a point",
        description=(
            "Ascending by (updated_at, account_id). Start with `updated_since` (or nothing), "
            "then pass `next_cursor` back as `cursor` until `has_more` is false; keep the last "
            "cursor to fetch later changes. Send `Authorization: Bearer kz_…` (scope "
            "scores:read). Scores updated in the last few seconds appear on a later call."
        ),
    )
    async def list_scores(
        self,
        settings: NamedDependency[CrmSettings],
        updated_since: Annotated[
            str | None,
            QueryParameter(
                format=OpenAPIFormat.DATE_TIME,
                max_length=64,
                description="ISO 8601; scores updated at or after it (first call).",
            ),
        ] = None,
        cursor: Annotated[
            str | None,
            QueryParameter(
                description="`next_cursor` of the previous page (empty: the first call).",
                pattern=r"^[A-Za-z0-9_.-]{0,400}$",
            ),
        ] = None,
        limit: Annotated[
            int, QueryParameter(ge=1, le=MAX_LIMIT, description="Page size, 1 to 1000.")
        ] = 100,
    ) -> ScorePage:
        """One page of scores and the cursor of the next."""
        secret = settings.resolved_secret_key()
        position: Position | None = None
        since = parse_updated_since(updated_since) if updated_since is not None else None
        if cursor:
            position, since = decode_cursor(secret, cursor)
        until = utcnow() - timedelta(seconds=settings.scores_api_settle_seconds)
        rows = [
            row
            async for row in iter_score_rows(
                updated_since=since, after=position, until=until, limit=limit + 1
            )
        ]
        has_more = len(rows) > limit
        rows = rows[:limit]
        if rows:
            position = rows[-1].position
        items = [ScoreItem(**plain_values(row)) for row in rows]
        return ScorePage(
            items=items, next_cursor=encode_cursor(secret, position, since), has_more=has_more
        )


ROUTES = [ScoresApiController]

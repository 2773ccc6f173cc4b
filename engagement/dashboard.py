"""Staff views of the scores: the accounts table (filters, sort, CSV), silent accounts, portfolio.

Every query reads accounts and the score tables only (never community or events). Accounts with
no score row yet are listed too, as "not yet scored" (they sort after every scored account).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from accounts.tables import Member
from core.database import fetch
from core.i18n import N_, gettext
from core.spreadsheet import guard_cell
from core.templating import localtime
from core.timeutil import utcnow
from engagement.kinds import NOT_ACTIVITY
from engagement.schemas import ScoringSettings
from engagement.scoring import recommended_tier

PAGE_SIZE = 50
CSV_MAX_ROWS = 100_000
BANDS = ("red", "yellow", "green")
MEASURE_NAMES = ("community", "events", "breadth", "recency")
TIERS = ("high", "low", "tech")
BAND_LABELS = {"red": N_("Red"), "yellow": N_("Yellow"), "green": N_("Green")}
TREND_LABELS = {"up": N_("Rising"), "down": N_("Falling"), "same": N_("Steady")}
TREND_ARROWS = {"up": "↑", "down": "↓", "same": "→"}
TIER_LABELS = {"high": N_("High touch"), "low": N_("Low touch"), "tech": N_("Tech touch")}
NOT_SCORED = N_("Not yet scored")

# Sort keys a request may name, and the SQL they order by (never user text in SQL).
SORTS: dict[str, str] = {
    "name": "a.name",
    "score": "s.score",
    "band": "CASE s.band WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 WHEN 'green' THEN 2 END",
    "trend": "CASE s.trend WHEN 'down' THEN 0 WHEN 'same' THEN 1 WHEN 'up' THEN 2 END",
    "community": "s.community",
    "events": "s.events",
    "breadth": "s.breadth",
    "recency": "s.recency",
    "last_activity": "s.last_activity_at",
    # The recommended tier rises with the contract value: ordering by ARR orders by it.
    "recommended": "a.arr",
    "arr": "a.arr",
    "tier": "CASE a.touch_tier WHEN 'high' THEN 0 WHEN 'low' THEN 1 ELSE 2 END",
    "owner": "o.display_name",
    "flagged": "s.flagged",
}

_NO_ACTIVITY_KINDS = ", ".join(f"'{kind}'" for kind in sorted(NOT_ACTIVITY))


def as_datetime(value: Any) -> datetime | None:
    """Raw SQLite rows may give computed timestamps as text; PostgreSQL gives datetimes."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class Filters:
    """What the accounts table shows: all given filters must hold."""

    band: str | None = None  # red, yellow, green or "none" (not yet scored)
    tier: str | None = None  # assigned touch tier
    owner: int | None = None  # owner CSM id; 0 = no owner
    flagged: bool = False
    sort: str = "score"
    descending: bool = False

    @classmethod
    def clean(
        cls,
        band: str | None,
        tier: str | None,
        owner: str | None,
        flagged: str | None,
        sort: str | None,
        direction: str | None,
        me: int | None = None,
    ) -> Filters:
        """Unknown values are dropped (a stale bookmark shows everything, not an error page)."""
        owner_id: int | None = None
        if owner == "me" and me is not None:
            owner_id = me
        elif owner == "none":
            owner_id = 0
        elif owner and owner.isdigit() and len(owner) < 10:
            owner_id = int(owner)
        return cls(
            band=band if band in (*BANDS, "none") else None,
            tier=tier if tier in TIERS else None,
            owner=owner_id,
            flagged=flagged in ("1", "true", "on"),
            sort=sort if sort in SORTS else "score",
            descending=direction == "desc",
        )

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = ["a.active"]
        args: list[Any] = []
        if self.band == "none":
            clauses.append("s.account IS NULL")
        elif self.band is not None:
            clauses.append("s.band = {}")
            args.append(self.band)
        if self.tier is not None:
            clauses.append("a.touch_tier = {}")
            args.append(self.tier)
        if self.owner == 0:
            clauses.append("a.owner IS NULL")
        elif self.owner is not None:
            clauses.append("a.owner = {}")
            args.append(self.owner)
        if self.flagged:
            clauses.append("s.flagged")
        return " AND ".join(clauses), args

    def order_by(self) -> str:
        expr = SORTS[self.sort]
        direction = "DESC" if self.descending else "ASC"
        # Empty values last in either direction; the id keeps pages stable.
        return f"({expr}) IS NULL, {expr} {direction}, a.id {direction}"

    def query(self, **changes: Any) -> dict[str, str]:
        """These filters as query parameters (for links), with `changes` applied."""
        values = {
            "band": self.band,
            "tier": self.tier,
            "owner": None if self.owner is None else ("none" if self.owner == 0 else self.owner),
            "flagged": "1" if self.flagged else None,
            "sort": self.sort,
            "dir": "desc" if self.descending else "asc",
        }
        values.update(changes)
        return {k: str(v) for k, v in values.items() if v is not None}


_TABLE_SQL = """
SELECT a.id, a.name, a.arr, a.touch_tier, a.owner AS owner_id, o.display_name AS owner_name,
       s.account AS scored, s.score, s.band, s.trend, s.community, s.events, s.breadth,
       s.recency, s.last_activity_at, s.flagged, s.baseline_score
FROM accounts_account a
LEFT JOIN engagement_account_score s ON s.account = a.id
LEFT JOIN accounts_member o ON o.id = a.owner
WHERE {where}
ORDER BY {order}
LIMIT {{}} OFFSET {{}}
"""

_COUNT_SQL = """
SELECT count(*) AS n FROM accounts_account a
LEFT JOIN engagement_account_score s ON s.account = a.id
WHERE {where}
"""


def _row(row: dict[str, Any], settings: ScoringSettings) -> SimpleNamespace:
    scored = row["scored"] is not None
    return SimpleNamespace(
        id=row["id"],
        name=row["name"],
        arr=int(row["arr"] or 0),
        tier=row["touch_tier"],
        recommended=recommended_tier(int(row["arr"] or 0), settings),
        owner_id=row["owner_id"],
        owner_name=row["owner_name"],
        scored=scored,
        score=row["score"] if scored else None,
        band=row["band"] if scored else None,
        trend=row["trend"] if scored else None,
        community=row["community"],
        events=row["events"],
        breadth=row["breadth"],
        recency=row["recency"],
        last_activity_at=as_datetime(row["last_activity_at"]),
        flagged=bool(row["flagged"]) if scored else False,
    )


async def account_table(
    filters: Filters, settings: ScoringSettings, page: int = 1, size: int = PAGE_SIZE
) -> tuple[list[SimpleNamespace], int]:
    """(rows of the page, total matching accounts)."""
    where, args = filters.where()
    sql = _TABLE_SQL.format(where=where, order=filters.order_by())
    rows = await fetch(sql, *args, size, (page - 1) * size)
    [count] = await fetch(_COUNT_SQL.format(where=where), *args)
    return [_row(row, settings) for row in rows], int(count["n"])


async def table_csv(filters: Filters, settings: ScoringSettings) -> str:
    """The filtered, sorted table (every page) as CSV for Excel: UTF-8 with a BOM, CRLF."""
    rows, _ = await account_table(filters, settings, 1, CSV_MAX_ROWS)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    headers = [
        N_("Account ID"),
        N_("Account"),
        N_("Engagement score"),
        N_("Band"),
        N_("Trend"),
        N_("Community"),
        N_("Event participation"),
        N_("Breadth"),
        N_("Recency"),
        N_("Last activity"),
        N_("Recommended tier"),
        N_("Touch tier"),
        N_("Owner CSM"),
        N_("Needs attention"),
        N_("Contract value (ARR)"),
    ]
    writer.writerow([gettext(h) for h in headers])
    for r in rows:
        band = gettext(BAND_LABELS[r.band]) if r.band else gettext(NOT_SCORED)
        cells = [
            r.id,
            r.name,
            r.score if r.scored else "",
            band,
            gettext(TREND_LABELS[r.trend]) if r.trend else "",
            *(getattr(r, m) if r.scored else "" for m in MEASURE_NAMES),
            localtime(r.last_activity_at) if r.last_activity_at else "",
            gettext(TIER_LABELS[r.recommended]),
            gettext(TIER_LABELS.get(r.tier, r.tier)),
            r.owner_name or "",
            gettext("Yes") if r.flagged else "",
            r.arr,
        ]
        writer.writerow([guard_cell(cell) for cell in cells])
    return out.getvalue()


async def staff_owners() -> list[dict[str, Any]]:
    """Active staff who may own accounts, by name (for the owner filter)."""
    return await (
        Member.select(Member.id, Member.display_name)
        .where(Member.role.is_in(["csm", "admin"]) & Member.active.eq(True))
        .order_by(Member.display_name)
    )


_SILENT_SQL = f"""
SELECT a.id, a.name, a.arr, a.touch_tier, o.display_name AS owner_name,
       (SELECT max(s.occurred_at) FROM engagement_signal s
        WHERE s.account = a.id AND s.kind NOT IN ({_NO_ACTIVITY_KINDS})) AS last_at
FROM accounts_account a
LEFT JOIN accounts_member o ON o.id = a.owner
WHERE a.active AND NOT EXISTS (
  SELECT 1 FROM engagement_signal s
  WHERE s.account = a.id AND s.occurred_at >= {{}} AND s.kind NOT IN ({_NO_ACTIVITY_KINDS}))
ORDER BY a.arr DESC, a.id
LIMIT {{}} OFFSET {{}}
"""  # noqa: S608 - only constants are interpolated

_SILENT_COUNT_SQL = f"""
SELECT count(*) AS n FROM accounts_account a
WHERE a.active AND NOT EXISTS (
  SELECT 1 FROM engagement_signal s
  WHERE s.account = a.id AND s.occurred_at >= {{}} AND s.kind NOT IN ({_NO_ACTIVITY_KINDS}))
"""  # noqa: S608 - only constants are interpolated


async def silent_accounts(
    days: int, settings: ScoringSettings, page: int = 1, size: int = PAGE_SIZE
) -> tuple[list[SimpleNamespace], int]:
    """Active accounts with no activity signal in `days` days, largest contract value first."""
    cutoff = utcnow() - timedelta(days=days)
    rows = await fetch(_SILENT_SQL, cutoff, size, (page - 1) * size)
    [count] = await fetch(_SILENT_COUNT_SQL, cutoff)
    return [
        SimpleNamespace(
            id=row["id"],
            name=row["name"],
            arr=int(row["arr"] or 0),
            tier=row["touch_tier"],
            recommended=recommended_tier(int(row["arr"] or 0), settings),
            owner_name=row["owner_name"],
            last_activity_at=as_datetime(row["last_at"]),
        )
        for row in rows
    ], int(count["n"])


async def portfolio(settings: ScoringSettings, days: int = 90) -> dict[str, Any]:
    """Accounts per band and per tier (assigned and recommended), and the daily average score."""
    by_tier = await fetch(
        """SELECT a.touch_tier AS tier, coalesce(s.band, 'none') AS band, count(*) AS n
           FROM accounts_account a LEFT JOIN engagement_account_score s ON s.account = a.id
           WHERE a.active GROUP BY a.touch_tier, coalesce(s.band, 'none')"""
    )
    by_recommended = await fetch(
        """SELECT CASE WHEN a.arr >= {} THEN 'high' WHEN a.arr >= {} THEN 'low' ELSE 'tech' END
                  AS tier, coalesce(s.band, 'none') AS band, count(*) AS n
           FROM accounts_account a LEFT JOIN engagement_account_score s ON s.account = a.id
           WHERE a.active GROUP BY 1, 2""",
        settings.tier_high_arr,
        settings.tier_low_arr,
    )
    columns = (*BANDS, "none")

    def matrix(rows: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
        table = {tier: dict.fromkeys(columns, 0) for tier in TIERS}
        for row in rows:
            table.setdefault(row["tier"], dict.fromkeys(columns, 0))[row["band"]] += int(row["n"])
        return table

    assigned = matrix(by_tier)
    totals = {band: sum(t[band] for t in assigned.values()) for band in columns}
    first_day = utcnow().date() - timedelta(days=days - 1)
    daily = await fetch(
        """SELECT sn.day AS day, avg(sn.score) AS average, count(*) AS n
           FROM engagement_score_snapshot sn JOIN accounts_account a ON a.id = sn.account
           WHERE sn.day >= {} AND a.active GROUP BY sn.day ORDER BY sn.day""",
        first_day,
    )
    return {
        "assigned": assigned,
        "recommended": matrix(by_recommended),
        "totals": totals,
        "total": sum(totals.values()),
        "daily": [(as_date(r["day"]), round(float(r["average"]), 1), int(r["n"])) for r in daily],
        "first_day": first_day,
        "last_day": utcnow().date(),
    }

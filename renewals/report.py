"""The leader's report: how accounts that took part (the forum, events, 1:1 touches) renewed
and expanded against those that did not, over the last four calendar quarters.

One grouped query reads every renewal of the period with its account's participation signals in
the LOOKBACK_DAYS before the renewal date (the contract year); everything else is arithmetic on
those rows, so the page, its charts and its CSV show the same numbers. An account "took part"
when it has at least one participation signal in that year; it is "silent" when it has no
signal at all (not even a visit). These are associations: the groups differ in size and tier.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from core.database import fetch, is_postgres
from core.i18n import N_, gettext
from core.spreadsheet import guard_cell
from engagement.kinds import SignalKind
from renewals.tables import Outcome

LOOKBACK_DAYS = 365
QUARTERS = 4

# What counts as taking part, by the touch it is: what a member does in the forum, attending a
# webinar or a mokumoku-kai, and a 1:1 touch with a CSM (a meeting, or homework done after it).
PARTICIPATION: dict[str, tuple[SignalKind, ...]] = {
    "forum": (SignalKind.topic_created, SignalKind.reply_created, SignalKind.answer_accepted),
    "events": (SignalKind.webinar_attended, SignalKind.mokumoku_attended),
    "touches": (SignalKind.meeting_attended, SignalKind.homework_completed),
}
PARTICIPATION_LABELS = {
    "forum": N_("Forum posts"),
    "events": N_("Events attended"),
    "touches": N_("1:1 touches"),
}
# Contract value bands (yen of ARR before the renewal): lower bound, label.
ARR_BANDS: tuple[tuple[int, str], ...] = (
    (0, N_("Under ¥1M")),
    (1_000_000, N_("¥1M–5M")),
    (5_000_000, N_("¥5M–20M")),
    (20_000_000, N_("¥20M and more")),
)
TIERS = ("high", "low", "tech")


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        """Its last day."""
        if self.number == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.number + 1, 1) - timedelta(days=1)

    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)

    @property
    def label(self) -> str:
        return f"{self.year} Q{self.number}"


@dataclass(frozen=True)
class Row:
    """One renewal of the period with its account's participation in the year before it."""

    renewal_id: int
    account_id: int
    account_name: str
    tier: str
    renewal_date: date
    outcome: str
    arr_before: int
    arr_after: int
    signals: int
    counts: dict[str, int]  # per PARTICIPATION group

    @property
    def took_part(self) -> bool:
        return any(self.counts.values())

    @property
    def silent(self) -> bool:
        return self.signals == 0

    @property
    def quarter(self) -> Quarter:
        return Quarter.of(self.renewal_date)

    @property
    def arr_band(self) -> str:
        return arr_band(self.arr_before)


def arr_band(arr: int) -> str:
    """The label (msgid) of the band `arr` falls in."""
    label = ARR_BANDS[0][1]
    for low, name in ARR_BANDS:
        if arr >= low:
            label = name
    return label


@dataclass(frozen=True)
class Metrics:
    """Retention of a group of renewals: logos and revenue."""

    count: int = 0
    churned: int = 0
    expanded: int = 0
    arr_before: int = 0
    arr_after: int = 0
    arr_kept: int = 0  # Σ min(after, before): what gross retention keeps

    @classmethod
    def of(cls, rows: Iterable[Row]) -> Metrics:
        count = churned = expanded = before = after = kept = 0
        for row in rows:
            count += 1
            churned += row.outcome == Outcome.churned
            expanded += row.outcome == Outcome.expanded
            before += row.arr_before
            after += row.arr_after
            kept += min(row.arr_after, row.arr_before)
        return cls(count, churned, expanded, before, after, kept)

    @property
    def renewal_rate(self) -> float | None:
        return (self.count - self.churned) / self.count if self.count else None

    @property
    def expansion_rate(self) -> float | None:
        return self.expanded / self.count if self.count else None

    @property
    def grr(self) -> float | None:
        """Gross revenue retention: ARR kept, expansions not counted."""
        return self.arr_kept / self.arr_before if self.arr_before else None

    @property
    def nrr(self) -> float | None:
        """Net revenue retention: ARR after over ARR before, expansions counted."""
        return self.arr_after / self.arr_before if self.arr_before else None


@dataclass(frozen=True)
class Comparison:
    label: str  # msgid, or a quarter's label
    took_part: Metrics
    did_not: Metrics


@dataclass(frozen=True)
class Preceding:
    """How often a kind of participation came in the year before an expansion, and before the
    other renewals."""

    group: str
    expansions: int
    expansions_with: int
    others: int
    others_with: int

    @property
    def share_expansions(self) -> float | None:
        return self.expansions_with / self.expansions if self.expansions else None

    @property
    def share_others(self) -> float | None:
        return self.others_with / self.others if self.others else None


@dataclass
class Report:
    as_of: date
    quarters: list[Quarter]
    rows: list[Row]
    overall: Comparison = field(init=False)
    by_quarter: list[Comparison] = field(init=False)
    by_tier: list[Comparison] = field(init=False)
    by_band: list[Comparison] = field(init=False)
    preceding: list[Preceding] = field(init=False)
    silent: Metrics = field(init=False)
    silent_outcomes: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        rows = self.rows
        self.overall = _compare(N_("All"), rows)
        self.by_quarter = [
            _compare(q.label, [r for r in rows if r.quarter == q]) for q in self.quarters
        ]
        self.by_tier = _breakdown(rows, TIERS, lambda r: r.tier)
        self.by_band = _breakdown(rows, [name for _, name in ARR_BANDS], lambda r: r.arr_band)
        expansions = [r for r in rows if r.outcome == Outcome.expanded]
        others = [r for r in rows if r.outcome != Outcome.expanded]
        self.preceding = [
            Preceding(
                group,
                len(expansions),
                sum(1 for r in expansions if r.counts[group]),
                len(others),
                sum(1 for r in others if r.counts[group]),
            )
            for group in PARTICIPATION
        ]
        silent = [r for r in rows if r.silent]
        self.silent = Metrics.of(silent)
        self.silent_outcomes = {o.value: sum(1 for r in silent if r.outcome == o) for o in Outcome}

    @property
    def start(self) -> date:
        return self.quarters[0].start

    @property
    def end(self) -> date:
        return min(self.quarters[-1].end, self.as_of)


def _compare(label: str, rows: Sequence[Row]) -> Comparison:
    return Comparison(
        label,
        Metrics.of(r for r in rows if r.took_part),
        Metrics.of(r for r in rows if not r.took_part),
    )


def _breakdown(
    rows: Sequence[Row], keys: Sequence[str], key_of: Callable[[Row], str]
) -> list[Comparison]:
    return [_compare(key, [r for r in rows if key_of(r) == key]) for key in keys]


def last_quarters(as_of: date, count: int = QUARTERS) -> list[Quarter]:
    """The quarter of `as_of` (to date) and the `count` − 1 before it, oldest first."""
    quarters = [Quarter.of(as_of)]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous())
    return quarters[::-1]


def _rows_sql() -> str:
    if is_postgres():
        since = f"(r.renewal_date - {LOOKBACK_DAYS})::timestamp AT TIME ZONE 'UTC'"
        until = "r.renewal_date::timestamp AT TIME ZONE 'UTC'"
    else:  # ISO text: a date sorts before that day's timestamps and after the day before's
        since, until = f"date(r.renewal_date, '-{LOOKBACK_DAYS} days')", "r.renewal_date"
    sums = ", ".join(
        f"sum(CASE WHEN s.kind IN ({', '.join(repr(k.value) for k in kinds)}) THEN 1 ELSE 0 END)"
        f" AS {group}"
        for group, kinds in PARTICIPATION.items()
    )
    # Only names and numbers from this module enter the text; the days are parameters.
    return (
        "SELECT r.id, r.account, a.name, a.touch_tier, r.renewal_date, r.outcome, "  # noqa: S608
        f"r.arr_before, r.arr_after, count(s.id) AS signals, {sums} "
        "FROM renewals_renewal r JOIN accounts_account a ON a.id = r.account "
        "LEFT JOIN engagement_signal s ON s.account = r.account "
        f"AND s.occurred_at >= {since} AND s.occurred_at < {until} "
        "WHERE r.renewal_date >= {} AND r.renewal_date <= {} "
        "GROUP BY r.id, r.account, a.name, a.touch_tier, r.renewal_date, r.outcome, "
        "r.arr_before, r.arr_after ORDER BY r.renewal_date, r.id"
    )


async def report(as_of: date) -> Report:
    """The report of the last four quarters up to `as_of`."""
    quarters = last_quarters(as_of)
    records = await fetch(_rows_sql(), quarters[0].start, as_of)
    rows = [
        Row(
            renewal_id=int(r["id"]),
            account_id=int(r["account"]),
            account_name=str(r["name"]),
            tier=str(r["touch_tier"]),
            renewal_date=r["renewal_date"]
            if isinstance(r["renewal_date"], date)
            else date.fromisoformat(str(r["renewal_date"])),
            outcome=str(r["outcome"]),
            arr_before=int(r["arr_before"]),
            arr_after=int(r["arr_after"]),
            signals=int(r["signals"]),
            counts={group: int(r[group] or 0) for group in PARTICIPATION},
        )
        for r in records
    ]
    return Report(as_of, quarters, rows)


CSV_HEADERS = (
    N_("Renewal ID"),
    N_("Account ID"),
    N_("Account"),
    N_("Touch tier"),
    N_("Contract value band"),
    N_("Quarter"),
    N_("Renewal date"),
    N_("Outcome"),
    N_("ARR before"),
    N_("ARR after"),
    N_("Took part"),
    *(PARTICIPATION_LABELS[group] for group in PARTICIPATION),
    N_("Signals in the year before"),
)


def report_csv(result: Report, outcome_labels: dict[str, str], tier_labels: dict[str, str]) -> str:
    """The report's rows for Excel: UTF-8 with a BOM, CRLF, text cells guarded."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([gettext(h) for h in CSV_HEADERS])
    yes, no = gettext(N_("Yes")), gettext(N_("No"))
    for r in result.rows:
        writer.writerow(
            [
                r.renewal_id,
                r.account_id,
                guard_cell(r.account_name),
                gettext(tier_labels.get(r.tier, r.tier)),
                gettext(r.arr_band),
                r.quarter.label,
                r.renewal_date.isoformat(),
                gettext(outcome_labels.get(r.outcome, r.outcome)),
                r.arr_before,
                r.arr_after,
                yes if r.took_part else no,
                *(r.counts[group] for group in PARTICIPATION),
                r.signals,
            ]
        )
    return out.getvalue()

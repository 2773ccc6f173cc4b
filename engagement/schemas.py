"""What comes in (the scoring configuration form) and goes out (score API responses)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field, create_model

from core.i18n import N_
from engagement.kinds import KINDS, SignalKind

BandName = Literal["red", "yellow", "green"]
TrendName = Literal["up", "down", "same"]
TierName = Literal["high", "low", "tech"]

MEASURES = ("community", "events", "breadth", "recency")

# One `weight_<kind>` field per signal kind, its default from engagement.kinds.KINDS (read by
# `ScoringSettings.weight(kind)`): a new kind gets its field without a line here.
_WEIGHT_FIELDS: dict[str, Any] = {
    f"weight_{kind.value}": (float, Field(spec.weight, ge=-100, le=100))
    for kind, spec in KINDS.items()
}
if TYPE_CHECKING:
    _KindWeights = BaseModel
else:
    _KindWeights = create_model("_KindWeights", **_WEIGHT_FIELDS)


class ScoringSettings(_KindWeights):
    """The scoring model's knobs; stored whole as JSON in each ScoringConfig version.

    Defaults follow DESIGN.md. Targets: with a 30-day half-life, a steady r points a day
    settles at about 43·r decayed points, so community 40 ≈ 6.5 points a week (a topic, a
    reply and a few reactions or visits across the account) and events 30 ≈ one webinar
    attended (registration 1 + attendance 4) a week. Logarithmic measures then give 65 at a
    quarter of the target: one keen member cannot carry an account on their own.
    """

    half_life_days: float = Field(30.0, gt=0, le=3650)
    lookback_days: int = Field(365, ge=1, le=3650)
    community_target: float = Field(40.0, gt=0, le=1_000_000)
    events_target: float = Field(30.0, gt=0, le=1_000_000)
    community_weight: float = Field(35.0, ge=0, le=100)
    events_weight: float = Field(35.0, ge=0, le=100)
    breadth_weight: float = Field(20.0, ge=0, le=100)
    recency_weight: float = Field(10.0, ge=0, le=100)
    red_below: float = Field(40.0, ge=0, le=100)
    green_from: float = Field(70.0, ge=0, le=100)
    trend_window_days: int = Field(30, ge=1, le=365)
    trend_tolerance: float = Field(5.0, ge=0, le=100)
    tier_high_arr: int = Field(10_000_000, ge=0, le=10**15)
    tier_low_arr: int = Field(3_000_000, ge=0, le=10**15)
    alert_drop_points: float = Field(15.0, gt=0, le=100)
    silent_days: int = Field(30, ge=1, le=3650)
    reengagement_enabled: bool = False
    reengagement_days: int = Field(60, ge=7, le=3650)

    def weight(self, kind: str) -> float:
        return float(getattr(self, f"weight_{kind}"))

    def weights(self) -> dict[str, float]:
        return {kind.value: self.weight(kind.value) for kind in SignalKind}

    def measure_weights(self) -> dict[str, float]:
        return {name: float(getattr(self, f"{name}_weight")) for name in MEASURES}


def consistency_errors(settings: ScoringSettings) -> dict[str, str]:
    """Rules between fields, as {field: msgid}; empty when the configuration holds together."""
    errors: dict[str, str] = {}
    total = sum(settings.measure_weights().values())
    if abs(total - 100) > 1e-9:
        for name in MEASURES:
            errors[f"{name}_weight"] = N_("The four measure weights must add up to 100.")
    if settings.red_below >= settings.green_from:
        errors["green_from"] = N_("The green threshold must be above the red threshold.")
    if settings.tier_low_arr > settings.tier_high_arr:
        errors["tier_high_arr"] = N_(
            "The high-touch contract value must be at least the low-touch one."
        )
    return errors


class ExplainedSignal(BaseModel):
    kind: str
    count: int
    contribution: float


class AccountScoreOut(BaseModel):
    """An account's current engagement score with its explanation."""

    account_id: int
    account_name: str
    score: float
    band: BandName
    trend: TrendName
    baseline_score: float | None
    community: float
    events: float
    breadth: float
    recency: float
    last_activity_at: datetime | None
    flagged: bool
    recommended_tier: TierName
    assigned_tier: TierName
    top_signals: list[ExplainedSignal]
    computed_at: datetime
    updated_at: datetime


class ScoreHistoryPoint(BaseModel):
    day: date
    score: float
    band: BandName


class AccountScoreDetail(AccountScoreOut):
    """One account's score, explanation and the last 180 days of history."""

    history: list[ScoreHistoryPoint]


class AccountScoreList(BaseModel):
    """One page of scores ascending by account id; pass `next_cursor` for the next page."""

    items: list[AccountScoreOut]
    next_cursor: str | None

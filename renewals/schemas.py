"""What comes in (the renewal form, API bodies) and goes out (renewals, the backtest)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from core.ids import RowId
from core.problems import ApiInput, IsoDate, Whole

OutcomeName = Literal["renewed", "expanded", "downgraded", "churned"]
ARR_MAX = 10**15


class RenewalIn(ApiInput):
    """A renewal as staff enter it: ARR before defaults to the account's ARR; ARR after to
    the ARR before (renewed) or 0 (churned)."""

    account_id: RowId
    renewal_date: IsoDate
    outcome: OutcomeName
    arr_before: Whole | None = Field(default=None, ge=0, le=ARR_MAX)
    arr_after: Whole | None = Field(default=None, ge=0, le=ARR_MAX)


class RenewalOut(BaseModel):
    id: int
    account_id: int
    account_name: str
    renewal_date: date
    outcome: OutcomeName
    arr_before: int
    arr_after: int
    source: str
    external_id: str | None
    updated_at: datetime


class RenewalList(BaseModel):
    items: list[RenewalOut]
    total: int


class RateOut(BaseModel):
    label: str
    count: int
    churned: int
    renewal_rate: float | None
    churn_rate: float | None


class AssociationOut(BaseModel):
    name: str
    with_count: int
    with_renewal_rate: float | None
    without_count: int
    without_renewal_rate: float | None
    difference: float | None
    p_value: float | None


class FittedOut(BaseModel):
    auc: float
    coefficients: dict[str, float]
    weights: dict[str, float]


class BacktestOut(BaseModel):
    """The backtest of the scoring version in force on renewals up to `as_of`."""

    as_of: date
    horizon_days: int
    cases: int
    churned: int
    without_snapshot: int
    enough_history: bool
    overall: RateOut
    bands: list[RateOut]
    auc: float | None
    auc_low: float | None
    auc_high: float | None
    red_lift: float | None
    kinds: list[AssociationOut]
    measures: list[AssociationOut]
    suggested: FittedOut | None


class SuggestedWeightsOut(BaseModel):
    """The weights the backtest suggests, beside those in force (null under too little
    history); `digest` is what the apply form carries."""

    as_of: date
    horizon_days: int
    enough_history: bool
    current: dict[str, float]
    current_auc: float | None
    suggested: dict[str, float] | None
    suggested_auc: float | None
    digest: str | None


class MetricsOut(BaseModel):
    renewals: int
    churned: int
    expanded: int
    renewal_rate: float | None
    grr: float | None
    nrr: float | None
    expansion_rate: float | None
    arr_before: int
    arr_after: int


class ComparisonOut(BaseModel):
    label: str
    took_part: MetricsOut
    did_not: MetricsOut


class PrecedingOut(BaseModel):
    participation: str
    expansions: int
    expansions_with: int
    others: int
    others_with: int


class ReportOut(BaseModel):
    """The leader's report: the last four quarters up to `as_of`."""

    as_of: date
    start: date
    overall: ComparisonOut
    by_quarter: list[ComparisonOut]
    by_tier: list[ComparisonOut]
    by_contract_value: list[ComparisonOut]
    preceding_expansions: list[PrecedingOut]
    silent: MetricsOut
    silent_outcomes: dict[str, int]

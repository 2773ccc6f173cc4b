"""The backtest's arithmetic over cases (one renewal with what Kizuna knew N days before it):
rates per band, the score's ROC AUC with a bootstrap interval, per-signal associations,
calibration by decile, and weights fitted on the history. Pure functions; seeded, so the same
cases give the same figures.

Churn is the outcome "churned"; renewed, expanded and downgraded accounts stayed. The score
predicts staying, so the AUC for churn ranks accounts by the score reversed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.stats import fisher_exact, rankdata
from sklearn.linear_model import LogisticRegressionCV
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

SEED = 20261207
BOOTSTRAP_SAMPLES = 400
BOOTSTRAP_CHUNK = 50  # resamples ranked at once (memory: 50 × cases)
MIN_OUTCOMES = 30  # fewer cases than this, or fewer churns than MIN_CHURNS: too little history
MIN_CHURNS = 5
FOLDS = 5  # the out-of-sample AUC
INNER_FOLDS = 3  # the regularisation strength, chosen inside each fold
BANDS = ("red", "yellow", "green")
MEASURES = ("community", "events", "breadth", "recency")
MEASURE_HIGH = 50.0  # a measure "present" for the with/without comparison: at least this


@dataclass(frozen=True)
class Case:
    """One renewal and what the ledger said N days before it."""

    renewal_id: int
    account_id: int
    outcome: str
    tier: str
    arr_before: int
    score: float
    band: str
    measures: dict[str, float]
    kinds: dict[str, int]  # signals of each kind in the window before T−N

    @property
    def churned(self) -> bool:
        return self.outcome == "churned"


@dataclass(frozen=True)
class Rate:
    """Accounts in a group, how many churned, and the rates."""

    label: str
    count: int
    churned: int

    @property
    def churn_rate(self) -> float | None:
        return None if self.count == 0 else self.churned / self.count

    @property
    def renewal_rate(self) -> float | None:
        return None if self.count == 0 else 1 - self.churned / self.count


@dataclass(frozen=True)
class Association:
    """Accounts with a signal kind (or a measure at 50 or more) against those without."""

    name: str
    with_: Rate
    without: Rate
    p_value: float | None  # Fisher's exact test on the 2×2 table

    @property
    def difference(self) -> float | None:
        """Renewal rate with, minus without (points of a share, −1…1)."""
        if self.with_.renewal_rate is None or self.without.renewal_rate is None:
            return None
        return self.with_.renewal_rate - self.without.renewal_rate


@dataclass(frozen=True)
class Decile:
    low: float
    high: float
    rate: Rate


@dataclass(frozen=True)
class Fitted:
    """A logistic regression of churn on log(1 + signals of each kind), regularised (L2, its
    strength chosen by cross-validation), and the weights it suggests."""

    auc: float  # out of sample: each case predicted by a model fitted without its fold
    coefficients: dict[str, float]  # per standard deviation of log(1 + count); > 0: churn
    weights: dict[str, float]  # suggested weight per kind (current weights where no data)


@dataclass
class Backtest:
    horizon_days: int
    cases: int
    churned: int
    without_snapshot: int
    enough: bool
    overall: Rate
    bands: list[Rate] = field(default_factory=list)
    auc: float | None = None
    auc_low: float | None = None
    auc_high: float | None = None
    red_lift: float | None = None
    kinds: list[Association] = field(default_factory=list)
    measures: list[Association] = field(default_factory=list)
    deciles: list[Decile] = field(default_factory=list)
    fitted: Fitted | None = None


def rate(label: str, cases: Sequence[Case]) -> Rate:
    return Rate(label, len(cases), sum(1 for case in cases if case.churned))


def run(
    cases: Sequence[Case], horizon: int, without_snapshot: int, current: dict[str, float]
) -> Backtest:
    """Every figure of the backtest page; `current` is the weight per kind in force."""
    churned = sum(1 for case in cases if case.churned)
    result = Backtest(
        horizon_days=horizon,
        cases=len(cases),
        churned=churned,
        without_snapshot=without_snapshot,
        enough=len(cases) >= MIN_OUTCOMES and churned >= MIN_CHURNS,
        overall=rate("all", cases),
        bands=[rate(band, [c for c in cases if c.band == band]) for band in BANDS],
        kinds=kind_associations(cases, sorted(current)),
        measures=measure_associations(cases),
    )
    if not result.enough or churned == len(cases):
        return result
    result.auc, result.auc_low, result.auc_high = auc_interval(cases)
    red = result.bands[0].churn_rate
    overall = result.overall.churn_rate
    if red is not None and overall:
        result.red_lift = red / overall
    result.deciles = deciles(cases)
    result.fitted = fit_weights(cases, current)
    return result


def _labels(cases: Sequence[Case]) -> np.ndarray:
    return np.array([1 if case.churned else 0 for case in cases])


def auc_interval(cases: Sequence[Case]) -> tuple[float, float, float]:
    """The score's ROC AUC for churn and a 95% percentile bootstrap interval."""
    y = _labels(cases)
    risk = -np.array([case.score for case in cases])
    auc = float(roc_auc_score(y, risk))
    rng = np.random.default_rng(SEED)
    samples: list[np.ndarray] = []
    for start in range(0, BOOTSTRAP_SAMPLES, BOOTSTRAP_CHUNK):
        size = min(BOOTSTRAP_CHUNK, BOOTSTRAP_SAMPLES - start)
        picks = rng.integers(0, len(y), (size, len(y)))
        samples.append(_rank_auc(y[picks], risk[picks]))
    found = np.concatenate(samples)
    low, high = np.nanpercentile(found, [2.5, 97.5])
    return auc, float(low), float(high)


def _rank_auc(labels: np.ndarray, risk: np.ndarray) -> np.ndarray:
    """The AUC of each row (Mann–Whitney: ties share their rank); NaN for a row with one
    outcome only (a resample needs both)."""
    ranks = rankdata(risk, axis=1)
    positives = labels.sum(axis=1)
    negatives = labels.shape[1] - positives
    u = (ranks * labels).sum(axis=1) - positives * (positives + 1) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((positives > 0) & (negatives > 0), u / (positives * negatives), np.nan)


def _association(name: str, with_: Sequence[Case], without: Sequence[Case]) -> Association:
    table = [
        [sum(c.churned for c in with_), sum(not c.churned for c in with_)],
        [sum(c.churned for c in without), sum(not c.churned for c in without)],
    ]
    p_value = None
    if with_ and without:
        p_value = float(fisher_exact(table).pvalue)
    return Association(name, rate("with", with_), rate("without", without), p_value)


def kind_associations(cases: Sequence[Case], kinds: Sequence[str]) -> list[Association]:
    """Per kind: accounts with at least one such signal in the window, against the rest."""
    found = []
    for kind in kinds:
        with_ = [c for c in cases if c.kinds.get(kind, 0) > 0]
        without = [c for c in cases if c.kinds.get(kind, 0) == 0]
        found.append(_association(kind, with_, without))
    return found


def measure_associations(cases: Sequence[Case]) -> list[Association]:
    found = []
    for name in MEASURES:
        with_ = [c for c in cases if c.measures[name] >= MEASURE_HIGH]
        without = [c for c in cases if c.measures[name] < MEASURE_HIGH]
        found.append(_association(name, with_, without))
    return found


def deciles(cases: Sequence[Case]) -> list[Decile]:
    """Observed churn per tenth of the cases, ordered by score."""
    ordered = sorted(cases, key=lambda case: (case.score, case.renewal_id))
    n = len(ordered)
    groups = [ordered[i * n // 10 : (i + 1) * n // 10] for i in range(10)]
    return [
        Decile(group[0].score, group[-1].score, rate(str(index + 1), group))
        for index, group in enumerate(g for g in groups if g)
    ]


def _features(cases: Sequence[Case], kinds: Sequence[str]) -> np.ndarray:
    return np.log1p(np.array([[case.kinds.get(k, 0) for k in kinds] for case in cases], float))


def fit_weights(cases: Sequence[Case], current: dict[str, float]) -> Fitted | None:
    """Churn on log(1 + count) per kind, standardised; the L2 strength chosen by 3-fold CV
    inside each of the 5 folds that give the out-of-sample AUC (seeded).

    A kind's suggested weight is its effect against churn per unit of log(1 + count)
    (−coefficient ÷ the feature's standard deviation), rescaled so that the largest equals
    the largest current weight among the kinds fitted, rounded to 0.5. Kinds no account had
    in the window keep their current weight."""
    kinds = [k for k in sorted(current) if any(case.kinds.get(k, 0) for case in cases)]
    y = _labels(cases)
    if not kinds or min(int(y.sum()), int(len(y) - y.sum())) < FOLDS:
        return None
    x = _features(cases, kinds)
    model = make_pipeline(
        StandardScaler(),
        LogisticRegressionCV(
            Cs=6,
            cv=StratifiedKFold(INNER_FOLDS, shuffle=True, random_state=SEED),
            scoring="roc_auc",
            max_iter=2000,
            l1_ratios=(0.0,),
            use_legacy_attributes=False,
        ),
    )
    outer = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED + 1)
    predicted = cross_val_predict(model, x, y, cv=outer, method="predict_proba")[:, 1]
    model.fit(x, y)
    beta = model[-1].coef_[0]
    scale = model[0].scale_
    coefficients = {k: float(b) for k, b in zip(kinds, beta, strict=True)}
    effect = {k: -float(b) / float(s) for k, b, s in zip(kinds, beta, scale, strict=True)}
    return Fitted(
        auc=float(roc_auc_score(y, predicted)),
        coefficients=coefficients,
        weights=_rescaled(effect, current),
    )


def _rescaled(effect: dict[str, float], current: dict[str, float]) -> dict[str, float]:
    biggest_now = max((abs(current[k]) for k in effect), default=0.0) or 1.0
    biggest_effect = max((abs(v) for v in effect.values()), default=0.0)
    weights = dict(current)
    if biggest_effect == 0 or not math.isfinite(biggest_effect):
        return weights
    for kind, value in effect.items():
        scaled = value * biggest_now / biggest_effect
        weights[kind] = max(-100.0, min(100.0, round(scaled * 2) / 2))
    return weights

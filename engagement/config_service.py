"""Saving the scoring configuration: validate, store a new version, recompute every score.

A save never edits a version: it inserts the next one (with who saved it), and in the same
transaction queues the full recompute, which runs once the version is committed.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from core.database import transaction
from core.forms import field_errors
from core.i18n import N_, gettext
from core.jobs import enqueue
from engagement.jobs import recompute_all_scores
from engagement.kinds import KIND_LABELS, SignalKind
from engagement.schemas import ScoringSettings, consistency_errors
from engagement.tables import ScoringConfig

RECOMPUTE_ALL_JOB_ID = "recompute:all"

# The form: groups of (field, label, help). Every ScoringSettings field appears exactly once.
GROUPS: list[tuple[str, list[tuple[str, str, str]]]] = [
    (
        N_("Signal weights"),
        [(f"weight_{kind.value}", KIND_LABELS[kind], "") for kind in SignalKind],
    ),
    (
        N_("Decay"),
        [
            ("half_life_days", N_("Half-life (days)"), N_("A signal counts half after this.")),
            ("lookback_days", N_("Look-back (days)"), N_("Older signals count nothing.")),
        ],
    ),
    (
        N_("Measures"),
        [
            ("community_target", N_("Community target (points)"), N_("Points that make 100.")),
            ("events_target", N_("Events target (points)"), N_("Points that make 100.")),
            ("community_weight", N_("Community weight (out of 100)"), ""),
            ("events_weight", N_("Events weight (out of 100)"), ""),
            ("breadth_weight", N_("Breadth weight (out of 100)"), ""),
            (
                "recency_weight",
                N_("Recency weight (out of 100)"),
                N_("The four weights add up to 100."),
            ),
        ],
    ),
    (
        N_("Bands"),
        [
            ("red_below", N_("Red below"), ""),
            ("green_from", N_("Green from"), ""),
        ],
    ),
    (
        N_("Trend"),
        [
            ("trend_window_days", N_("Compare with the score this many days ago"), ""),
            ("trend_tolerance", N_("Steady within ± (points)"), ""),
        ],
    ),
    (
        N_("Touch tiers"),
        [
            ("tier_high_arr", N_("High touch from contract value (yen)"), ""),
            ("tier_low_arr", N_("Low touch from contract value (yen)"), ""),
        ],
    ),
    (
        N_("Alerts"),
        [
            ("alert_drop_points", N_("Alert when the score falls by (points)"), ""),
            ("silent_days", N_("Silent after (days without activity)"), ""),
        ],
    ),
    (
        N_("Re-engagement emails"),
        [
            ("reengagement_enabled", N_("Send re-engagement emails"), ""),
            ("reengagement_days", N_("After this many days of silence"), ""),
        ],
    ),
]
LABELS: dict[str, str] = {name: label for _, fields in GROUPS for name, label, _ in fields}
BOOLEAN_FIELDS = frozenset(
    name for name, info in ScoringSettings.model_fields.items() if info.annotation is bool
)
assert set(LABELS) == set(ScoringSettings.model_fields), "every setting needs a form field"


def form_values(settings: ScoringSettings) -> dict[str, Any]:
    """The form's initial values: numbers without a needless ".0"."""
    values: dict[str, Any] = {}
    for name, value in settings.model_dump().items():
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        values[name] = value
    return values


def parse_settings(data: dict[str, Any]) -> tuple[ScoringSettings | None, dict[str, str]]:
    """The submitted form as settings, or translated errors per field (nothing is saved)."""
    values = {name: data.get(name) for name in LABELS if name not in BOOLEAN_FIELDS}
    errors = {
        name: gettext("This field is required.") for name, value in values.items() if value is None
    }
    for name in BOOLEAN_FIELDS:
        values[name] = data.get(name) in ("1", "on", "true", True)
    try:
        settings = ScoringSettings.model_validate(
            {k: v for k, v in values.items() if k not in errors}
        )
    except ValidationError as exc:
        for name, message in field_errors(exc).items():
            errors.setdefault(name, message)
        return None, errors
    if errors:
        return None, errors
    rules = consistency_errors(settings)
    if rules:
        return None, {name: gettext(message) for name, message in rules.items()}
    return settings, {}


async def save_config(settings: ScoringSettings, member_id: int | None) -> int:
    """Store `settings` as the newest version and queue the full recompute; returns its id."""
    async with transaction():
        [row] = await ScoringConfig.insert(
            ScoringConfig(settings=settings.model_dump(), created_by=member_id)
        ).returning(ScoringConfig.id)
        await enqueue(recompute_all_scores, job_id=RECOMPUTE_ALL_JOB_ID)
    return int(row["id"])


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return gettext("On") if value else gettext("Off")
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def changes_between(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(label msgid, old, new) for each setting that differs, in form order."""
    return [
        (LABELS[name], _shown(old.get(name)), _shown(new.get(name)))
        for name in LABELS
        if old.get(name) != new.get(name)
    ]


async def version_history(limit: int = 20) -> list[dict[str, Any]]:
    """The newest versions: who saved each, when, and what changed against the one before
    (the first version is compared with the defaults)."""
    rows = await (
        ScoringConfig.select(
            ScoringConfig.id,
            ScoringConfig.settings,
            ScoringConfig.created_at,
            ScoringConfig.created_by.display_name.as_alias("author"),
        )
        .order_by(ScoringConfig.id, ascending=False)
        .limit(limit + 1)
        .output(load_json=True)
    )
    defaults = ScoringSettings().model_dump()
    history = []
    for index, row in enumerate(rows[:limit]):
        current = ScoringSettings.model_validate(row["settings"]).model_dump()
        if index + 1 < len(rows):
            previous = ScoringSettings.model_validate(rows[index + 1]["settings"]).model_dump()
        else:
            previous = defaults
        history.append(
            {
                "id": row["id"],
                "created_at": row["created_at"],
                "author": row["author"],
                "changes": changes_between(previous, current),
            }
        )
    return history

"""Scoring configuration versions: the one in force (newest row, else the defaults) and history."""

from __future__ import annotations

from engagement.schemas import ScoringSettings
from engagement.tables import ScoringConfig


async def current_config() -> tuple[int | None, ScoringSettings]:
    """(version id, settings) in force; (None, defaults) before any admin saved one."""
    row = (
        await ScoringConfig.select(ScoringConfig.id, ScoringConfig.settings)
        .order_by(ScoringConfig.id, ascending=False)
        .output(load_json=True)
        .first()
    )
    if row is None:
        return None, ScoringSettings()
    # Fields added after a version was saved take their defaults.
    return int(row["id"]), ScoringSettings.model_validate(row["settings"])

"""The workbench's cron: every playbook evaluated over every account, hourly."""

from __future__ import annotations

from typing import Any

from core.settings import CoreSettings
from core.timeutil import utcnow
from success.capacity import current_mix_settings
from success.playbooks import Evaluation, evaluate_playbooks
from success.triggers import Situation

EVALUATION_MINUTE = 7


async def evaluate_playbooks_hourly(ctx: dict[str, Any]) -> Evaluation:
    """Make the tasks of the accounts that crossed a playbook's trigger since the last run."""
    settings: CoreSettings = ctx["settings"]
    situation = Situation(utcnow(), settings.default_timezone, await current_mix_settings())
    return await evaluate_playbooks(situation)

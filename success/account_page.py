"""The workbench's block on the staff account page (`Domain.account_sections`): the hybrid
mix chart against the lifecycle stage, open tasks and homework, the newest timeline entries."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from markupsafe import Markup

from core.i18n import gettext
from core.settings import CoreSettings
from core.templating import get_timezone
from core.timeutil import utcnow
from core.wiring import Wiring
from success import homework as homework_service
from success import tasks, timeline, touches
from success.capacity import current_mix_settings
from success.charts import mix_chart
from success.labels import LABELS, STAGES
from success.mix import (
    AccountMix,
    MonthMix,
    Stage,
    add_months,
    local_today,
    mixes,
    stage_of,
    target_share,
)
from success.pages import account_facts
from success.schemas import MixSettings

MIX_MONTHS = 12


async def account_section(
    account_id: int, viewer: Any, request: Any
) -> tuple[str, dict[str, Any]] | None:
    """The workbench on the account page (staff only)."""
    if not viewer.is_staff:
        return None
    account = await account_facts(account_id)
    settings: CoreSettings = request.app.state.settings
    zone, now = settings.default_timezone, utcnow()
    mix_settings = await current_mix_settings()
    found = (await mixes(zone, now, MIX_MONTHS, [account_id]))[account_id]
    today = local_today(zone, now)
    stage = stage_of(account["contract_start"], today, mix_settings)
    window = found.window(mix_settings.window_months)
    wiring: Wiring = request.app.state.wiring
    recent = await touches.account_touches(account_id, limit=5)
    people, _ = await touches.people([t.id for t in recent])
    return "success/account_section.html", {
        **LABELS,
        "account": account,
        "chart": _chart(account, found, stage, window, mix_settings, today),
        "months": found.months,
        "stage": stage.value,
        "target": target_share(stage, mix_settings),
        "window": window,
        "window_months": mix_settings.window_months,
        "tasks": await tasks.account_tasks(account_id, limit=10),
        "touches": recent,
        "people": people,
        "open_homework": await homework_service.account_homework(account_id),
        "timeline": await timeline.timeline(account_id, wiring.subject_links, zone, limit=12),
        "today": local_today(get_timezone(), now),
    }


def _chart(
    account: dict[str, Any],
    found: AccountMix,
    stage: Stage,
    window: MonthMix,
    mix_settings: MixSettings,
    today: date,
) -> Markup:
    """The 12 months' bars, each against the target of the stage the account was in at the
    month's end."""
    start = account["contract_start"]
    targets = [
        target_share(stage_of(start, _month_end(month.month, today), mix_settings), mix_settings)
        for month in found.months
    ]
    shown_share = "—" if window.human_share is None else f"{window.human_share:.0f}%"
    shown_target = f"{target_share(stage, mix_settings):.0f}"
    return mix_chart(
        found.months,
        targets,
        gettext("Hybrid mix of %(name)s, last 12 months", name=account["name"]),
        gettext(
            "Human and digital touch hours a month; human share %(share)s over the last "
            "%(months)s months, target %(target)s%% (%(stage)s).",
            share=shown_share,
            months=mix_settings.window_months,
            target=shown_target,
            stage=gettext(STAGES[stage.value]),
        ),
    )


def _month_end(month: date, today: date) -> date:
    return min(today, add_months(month, 1) - timedelta(days=1))

"""Score jobs: the debounced recompute of one account, the full pass, the nightly cron."""

from __future__ import annotations

import logging
from typing import Any

from core.settings import CoreSettings
from core.timeutil import utcnow
from core.wiring import Wiring
from engagement.hooks import SCORE_CHANGED, ScoreListener
from engagement.recompute import recompute_scores
from engagement.reengagement import send_reengagement_emails
from engagement.versions import current_config

log = logging.getLogger(__name__)

NIGHTLY_HOUR_UTC = 18  # 03:00 in Japan: after the day's activity, before the CSMs' morning


async def recompute_account_score(ctx: dict[str, Any], account_id: int) -> None:
    """Rebuild one account's score from the ledger (queued by record_signal, debounced)."""
    changes = await recompute_scores(
        ctx["settings"], account_id=account_id, listeners=_listeners(ctx)
    )
    log.info("recomputed account %s (%s changed)", account_id, len(changes))


async def recompute_all_scores(ctx: dict[str, Any]) -> None:
    """Rebuild every account's score and today's snapshot (after a configuration change)."""
    changes = await recompute_scores(ctx["settings"], snapshot=True, listeners=_listeners(ctx))
    log.info("recomputed all accounts (%s changed)", len(changes))


async def nightly_scores(ctx: dict[str, Any]) -> None:
    """The nightly full pass: every score, the day's snapshots, then re-engagement emails."""
    settings: CoreSettings = ctx["settings"]
    as_of = utcnow()
    changes = await recompute_scores(
        settings, as_of=as_of, snapshot=True, listeners=_listeners(ctx)
    )
    _, scoring = await current_config()
    sent = await send_reengagement_emails(settings, scoring, as_of)
    log.info("nightly scores: %s changed, %s re-engagement emails", len(changes), sent)


def _listeners(ctx: dict[str, Any]) -> tuple[ScoreListener, ...]:
    wiring: Wiring = ctx["wiring"]
    return wiring.listeners(SCORE_CHANGED)

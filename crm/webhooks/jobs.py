"""Webhook delivery jobs: one attempt per job, the next one queued durably on failure, and
the repair sweep for deliveries a dead worker left behind (claims dedupe)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from core.database import transaction
from core.jobs import enqueue
from core.timeutil import utcnow
from crm.settings import CrmSettings
from crm.tables import WebhookDelivery
from crm.webhooks.delivery import claim_attempt, record_attempt, send_attempt

STALL_AFTER = timedelta(minutes=10)


async def deliver_webhook(ctx: dict[str, Any], delivery_id: int, attempts_seen: int) -> None:
    """One attempt of a webhook delivery; a failure schedules the next one durably."""
    settings: CrmSettings = ctx["settings"]
    claim = await claim_attempt(delivery_id, attempts_seen)
    if claim is None:
        return  # delivered, cancelled, or another job took this attempt
    result = await send_attempt(claim, settings, ctx.get("webhook_http"))
    async with transaction():
        delay = await record_attempt(result, settings)
        if delay is not None:
            attempt = attempts_seen + 1
            await enqueue(
                deliver_webhook,
                delivery_id,
                attempt,
                job_id=f"webhook:{delivery_id}:{attempt}",
                defer_by=delay,
            )


async def repair_stalled_deliveries(ctx: dict[str, Any]) -> int:
    """Queue again deliveries overdue for long (a worker died mid-attempt): claims dedupe."""
    rows = (
        await WebhookDelivery.select(WebhookDelivery.id, WebhookDelivery.attempts)
        .where(
            (WebhookDelivery.status == "pending")
            & (WebhookDelivery.next_attempt_at < utcnow() - STALL_AFTER)
            & (WebhookDelivery.endpoint.enabled == True)  # noqa: E712 - an SQL comparison
        )
        .limit(1000)
    )
    for row in rows:
        await enqueue(
            deliver_webhook,
            row["id"],
            row["attempts"],
            job_id=f"webhook:{row['id']}:{row['attempts']}:repair",
        )
    return len(rows)

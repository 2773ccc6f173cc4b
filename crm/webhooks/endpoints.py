"""Webhook endpoints and score events: the outbox rows written with the score change itself."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from accounts.tables import Account
from core.database import transaction
from core.errors import Conflict, DomainError, NotFound
from core.i18n import N_, gettext
from core.jobs import enqueue
from core.timeutil import utcnow
from crm.files.fields import json_number
from crm.files.formats import plain_values
from crm.sealing import seal
from crm.settings import CrmSettings
from crm.source import score_row
from crm.tables import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from crm.targets import TargetRefused, check_target_form
from crm.webhooks.jobs import deliver_webhook
from crm.webhooks.signing import new_message_id, new_secret

EVENTS: dict[str, str] = {
    "score.updated": N_("Score updated (any exported field changed)"),
    "score.band_changed": N_("Band changed (red / yellow / green)"),
}
TEST_EVENT = "webhook.test"
LOG_LIMIT = 100


async def create_endpoint(
    url: str, events: list[str], description: str, owner_id: int | None, settings: CrmSettings
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint after checking its URL; returns it with its secret (shown once)."""
    chosen = sorted(set(events))
    if not chosen or any(e not in EVENTS for e in chosen):
        raise DomainError(
            N_("Choose at least one event."),
            field_errors={"events": N_("Choose at least one event.")},
        )
    try:
        check_target_form(url, settings.webhook_allow_private_targets)
    except TargetRefused as exc:
        raise DomainError(exc.message, field_errors={"url": exc.message}, **exc.params) from exc
    secret = new_secret()
    endpoint = WebhookEndpoint(
        url=url.strip(),
        description=(description or "").strip()[:200],
        events=" ".join(chosen),
        sealed_secret=seal(settings.resolved_secret_key(), secret),
        owner=owner_id,
    )
    await endpoint.save()
    return endpoint, secret


async def get_endpoint(endpoint_id: int) -> WebhookEndpoint:
    endpoint = await WebhookEndpoint.objects().where(WebhookEndpoint.id == endpoint_id).first()
    if endpoint is None:
        raise NotFound(N_("This webhook endpoint does not exist."))
    return endpoint


async def list_endpoints() -> list[dict[str, Any]]:
    return await WebhookEndpoint.select(
        *WebhookEndpoint.all_columns(exclude=[WebhookEndpoint.sealed_secret]),
        WebhookEndpoint.owner.display_name.as_alias("owner_name"),
    ).order_by(WebhookEndpoint.id)


async def set_endpoint_enabled(endpoint_id: int, enabled: bool) -> None:
    """Turn an endpoint on (its failure record starts afresh) or off by hand."""
    await get_endpoint(endpoint_id)
    async with transaction():
        await WebhookEndpoint.update(
            {
                WebhookEndpoint.enabled: enabled,
                WebhookEndpoint.disabled_reason: None if enabled else "manual",
                WebhookEndpoint.failing_since: None,
            }
        ).where(WebhookEndpoint.id == endpoint_id)
        if not enabled:
            await WebhookDelivery.update(
                {WebhookDelivery.status: "cancelled", WebhookDelivery.next_attempt_at: None}
            ).where(
                (WebhookDelivery.endpoint == endpoint_id) & (WebhookDelivery.status == "pending")
            )


async def delete_endpoint(endpoint_id: int) -> None:
    await get_endpoint(endpoint_id)
    await WebhookEndpoint.delete().where(WebhookEndpoint.id == endpoint_id)


def event_body(
    event: str, data: dict[str, Any], old: Mapping[str, Any] | None, message_time: str
) -> str:
    """The JSON body of an event (Standard Webhooks shape: type, timestamp, data)."""
    previous = None
    if old is not None:
        previous = {
            "score": json_number(old["score"]) if old.get("score") is not None else None,
            "band": old.get("band"),
            "trend": old.get("trend"),
        }
    return json.dumps(
        {"type": event, "timestamp": message_time, "data": {**data, "previous": previous}},
        ensure_ascii=False,
        separators=(",", ":"),
    )


async def emit_score_events(
    account_id: int, old: Mapping[str, Any] | None, new: Mapping[str, Any]
) -> int:
    """Write one delivery per subscribed endpoint for the events this change makes.

    Listens to engagement.hooks.SCORE_CHANGED (crm.domain): runs inside the transaction that
    writes the score, so the deliveries exist exactly when the change does. Returns the number
    of deliveries written.
    """
    events = ["score.updated"]
    if old is not None and old.get("band") != new.get("band"):
        events.append("score.band_changed")
    endpoints = await WebhookEndpoint.select(WebhookEndpoint.id, WebhookEndpoint.events).where(
        WebhookEndpoint.enabled.eq(True)
    )
    if not endpoints:
        return 0
    account = (
        await Account.select(Account.name, Account.crm_external_id)
        .where(Account.id == account_id)
        .first()
    )
    if account is None:
        return 0
    data = plain_values(score_row(account_id, account["name"], account["crm_external_id"], new))
    now = utcnow()
    written = 0
    for event in events:
        message_id = new_message_id()
        body = event_body(event, data, old, now.isoformat(timespec="seconds"))
        for endpoint in endpoints:
            if event not in endpoint["events"].split():
                continue
            delivery = WebhookDelivery(
                endpoint=endpoint["id"],
                message_id=message_id,
                event=event,
                account=account_id,
                payload=body,
                next_attempt_at=now,
            )
            await delivery.save()
            await enqueue(deliver_webhook, delivery.id, 0, job_id=f"webhook:{delivery.id}:0")
            written += 1
    return written


async def send_test_event(endpoint_id: int) -> int:
    """Queue a `webhook.test` event to one endpoint, so an admin can check the receiver."""
    endpoint = await get_endpoint(endpoint_id)
    if not endpoint.enabled:
        raise Conflict(N_("Turn the endpoint on before sending a test event."))
    now = utcnow()
    body = json.dumps(
        {
            "type": TEST_EVENT,
            "timestamp": now.isoformat(timespec="seconds"),
            "data": {"endpoint_id": endpoint_id, "message": "Kizuna test event"},
        },
        separators=(",", ":"),
    )
    async with transaction():
        delivery = WebhookDelivery(
            endpoint=endpoint_id,
            message_id=new_message_id(),
            event=TEST_EVENT,
            payload=body,
            next_attempt_at=now,
        )
        await delivery.save()
        await enqueue(deliver_webhook, delivery.id, 0, job_id=f"webhook:{delivery.id}:0")
    return int(delivery.id)


async def redeliver(delivery_id: int) -> int:
    """Send a delivery again now, with the same webhook-id, starting a fresh retry series.

    Returns the endpoint id."""
    async with transaction():
        delivery = await WebhookDelivery.objects().where(WebhookDelivery.id == delivery_id).first()
        if delivery is None:
            raise NotFound(N_("This delivery does not exist."))
        endpoint = await get_endpoint(delivery.endpoint)
        if not endpoint.enabled:
            raise Conflict(N_("Turn the endpoint on before redelivering."))
        await WebhookDelivery.update(
            {
                WebhookDelivery.status: "pending",
                WebhookDelivery.series_attempts: 0,
                WebhookDelivery.next_attempt_at: utcnow(),
            }
        ).where(WebhookDelivery.id == delivery_id)
        await enqueue(
            deliver_webhook,
            delivery_id,
            delivery.attempts,
            job_id=f"webhook:{delivery_id}:{delivery.attempts}:redeliver",
        )
    return int(endpoint.id)


async def delivery_log(endpoint_id: int) -> list[dict[str, Any]]:
    """The endpoint's latest deliveries, newest first, each with its attempts."""
    deliveries = (
        await WebhookDelivery.select(
            *WebhookDelivery.all_columns(exclude=[WebhookDelivery.payload]),
            WebhookDelivery.account.name.as_alias("account_name"),
        )
        .where(WebhookDelivery.endpoint == endpoint_id)
        .order_by(WebhookDelivery.id, ascending=False)
        .limit(LOG_LIMIT)
    )
    if not deliveries:
        return []
    attempts = (
        await WebhookAttempt.select()
        .where(WebhookAttempt.delivery.is_in([d["id"] for d in deliveries]))
        .order_by(WebhookAttempt.id, ascending=False)
    )
    by_delivery: dict[int, list[dict[str, Any]]] = {}
    for attempt in attempts:
        attempt["error"] = _shown_error(attempt.get("error"))
        by_delivery.setdefault(attempt["delivery"], []).append(attempt)
    for delivery in deliveries:
        delivery["attempt_log"] = by_delivery.get(delivery["id"], [])
        delivery["last_error"] = _shown_error(delivery.get("last_error"))
    return deliveries


def _shown_error(text: str | None) -> str | None:
    """Refusals are stored as msgids without parameters: shown in the viewer's language."""
    return gettext(text) if text else None

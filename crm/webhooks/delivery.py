"""Webhook delivery attempts: claim, send signed, record, and decide the retry or the give-up.

An attempt is claimed by bumping `attempts` from the value the job was scheduled with, so a
duplicate or stale job (redelivery, sweeper re-push) never sends twice. Retries follow
RETRY_SCHEDULE with jitter (about 2.7 days in all), later when the receiver asks with
Retry-After on 429/503. 410 Gone disables the endpoint; so does failing for the whole window.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from accounts.tables import Member
from core.database import is_postgres
from core.errors import DomainError
from core.mail import send_email
from core.timeutil import retry_after_seconds, utcnow
from crm.sealing import unseal
from crm.settings import CrmSettings
from crm.tables import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from crm.targets import check_target, pinned_post
from crm.webhooks.signing import signed_headers

RETRY_SCHEDULE: tuple[int, ...] = (5, 300, 1800, 7200, 18000, 36000, 36000, 50400, 86400)
FAILING_WINDOW = timedelta(seconds=sum(RETRY_SCHEDULE) * 0.8)  # jitter may shorten it
TIMEOUT_SECONDS = 10.0
JITTER = 0.2


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    endpoint_id: int
    url: str
    sealed_secret: str
    message_id: str
    payload: str


@dataclass(frozen=True)
class AttemptResult:
    delivery_id: int
    endpoint_id: int
    attempted_at: datetime
    status_code: int | None
    duration_ms: int
    error: str | None
    retry_after: float | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


async def claim_attempt(delivery_id: int, attempts_seen: int) -> Claim | None:
    """Take the next attempt of a pending delivery, unless another job already took it."""
    row = (
        await WebhookDelivery.select(
            WebhookDelivery.id,
            WebhookDelivery.message_id,
            WebhookDelivery.payload,
            WebhookDelivery.endpoint.id.as_alias("endpoint_id"),
            WebhookDelivery.endpoint.url.as_alias("url"),
            WebhookDelivery.endpoint.sealed_secret.as_alias("sealed_secret"),
            WebhookDelivery.endpoint.enabled.as_alias("enabled"),
        )
        .where(WebhookDelivery.id == delivery_id)
        .first()
    )
    if row is None or not row["enabled"]:
        return None
    claimed = (
        await WebhookDelivery.update(
            {
                WebhookDelivery.attempts: attempts_seen + 1,
                # Not overdue while in flight: the stall repair leaves it alone.
                WebhookDelivery.next_attempt_at: utcnow() + timedelta(minutes=5),
            }
        )
        .where(
            (WebhookDelivery.id == delivery_id)
            & (WebhookDelivery.attempts == attempts_seen)
            & (WebhookDelivery.status == "pending")
        )
        .returning(WebhookDelivery.id)
    )
    if not claimed:
        return None
    return Claim(
        delivery_id,
        row["endpoint_id"],
        row["url"],
        row["sealed_secret"],
        row["message_id"],
        row["payload"],
    )


async def send_attempt(
    claim: Claim, settings: CrmSettings, client: httpx.AsyncClient | None = None
) -> AttemptResult:
    """POST the signed payload once (10 s timeout, no redirects) and describe what happened."""
    attempted_at = utcnow()
    started = time.monotonic()
    status: int | None = None
    error: str | None = None
    retry_after: float | None = None
    try:
        secret = unseal(settings.resolved_secret_key(), claim.sealed_secret)
        parts, address = await check_target(claim.url, settings.webhook_allow_private_targets)
        headers = signed_headers(secret, claim.message_id, int(time.time()), claim.payload)
        owned = client is None
        http = client or httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=False)
        try:
            response = await pinned_post(
                http, parts, address, content=claim.payload.encode(), headers=headers
            )
        finally:
            if owned:
                await http.aclose()
        status = response.status_code
        if status in (429, 503):
            retry_after = retry_after_seconds(response.headers)
    except DomainError as exc:
        error = exc.message % exc.params if exc.params else exc.message
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    duration = int((time.monotonic() - started) * 1000)
    return AttemptResult(
        claim.delivery_id, claim.endpoint_id, attempted_at, status, duration, error, retry_after
    )


def next_delay(series_attempt: int, retry_after: float | None) -> float | None:
    """Seconds until the next try after failed attempt number `series_attempt` (1-based)."""
    if series_attempt > len(RETRY_SCHEDULE):
        return None
    base = RETRY_SCHEDULE[series_attempt - 1]
    delay = base * random.uniform(1 - JITTER, 1 + JITTER)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay


async def record_attempt(result: AttemptResult, settings: CrmSettings) -> float | None:
    """Log the attempt and move the delivery on; returns the retry delay, if any.

    Call inside a transaction, together with the enqueue of that retry.
    """
    now = utcnow()
    await WebhookAttempt(
        delivery=result.delivery_id,
        attempted_at=result.attempted_at,
        status_code=result.status_code,
        duration_ms=result.duration_ms,
        error=result.error,
    ).save()
    query = WebhookDelivery.objects().where(WebhookDelivery.id == result.delivery_id)
    delivery = await (query.lock_rows() if is_postgres() else query).first()
    endpoint = (
        await WebhookEndpoint.objects().where(WebhookEndpoint.id == result.endpoint_id).first()
    )
    assert delivery is not None and endpoint is not None
    delivery.last_status_code = result.status_code
    delivery.last_error = result.error
    delivery.last_duration_ms = result.duration_ms
    delivery.series_attempts += 1
    if result.ok:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", now, None
        await delivery.save()
        await WebhookEndpoint.update({WebhookEndpoint.failing_since: None}).where(
            WebhookEndpoint.id == endpoint.id
        )
        return None
    if endpoint.failing_since is None:
        endpoint.failing_since = result.attempted_at
        await WebhookEndpoint.update({WebhookEndpoint.failing_since: result.attempted_at}).where(
            WebhookEndpoint.id == endpoint.id
        )
    if result.status_code == 410:
        delivery.status, delivery.next_attempt_at = "failed", None
        await delivery.save()
        await disable_endpoint(endpoint, "gone", settings)
        return None
    delay = next_delay(delivery.series_attempts, result.retry_after)
    if delay is None:
        delivery.status, delivery.next_attempt_at = "failed", None
        await delivery.save()
        if endpoint.failing_since <= now - FAILING_WINDOW:
            await disable_endpoint(endpoint, "failing", settings)
        return None
    delivery.next_attempt_at = now + timedelta(seconds=delay)
    await delivery.save()
    return delay


async def disable_endpoint(endpoint: WebhookEndpoint, reason: str, settings: CrmSettings) -> None:
    """Stop sending to the endpoint, cancel what waits for it, and tell its owner."""
    await WebhookEndpoint.update(
        {WebhookEndpoint.enabled: False, WebhookEndpoint.disabled_reason: reason}
    ).where(WebhookEndpoint.id == endpoint.id)
    await WebhookDelivery.update(
        {WebhookDelivery.status: "cancelled", WebhookDelivery.next_attempt_at: None}
    ).where((WebhookDelivery.endpoint == endpoint.id) & (WebhookDelivery.status == "pending"))
    if endpoint.owner is None:
        return
    owner = (
        await Member.objects().where((Member.id == endpoint.owner) & Member.active.eq(True)).first()
    )
    if owner is None:
        return
    await send_email(
        owner.email,
        "emails/crm_webhook_disabled.html",
        owner.locale or settings.default_locale,
        url=endpoint.url,
        reason=reason,
        link=f"{settings.base_url}/staff/crm/webhooks/{endpoint.id}",
    )

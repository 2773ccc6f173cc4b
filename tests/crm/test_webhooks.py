"""Webhooks: registration, outbox rows with the score change, signed delivery, retries, log."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest

from core.database import transaction
from core.mail import deliver_email
from core.tables import OutboundEmail, QueuedJob
from core.timeutil import utcnow
from crm.pull.tokens import create_token
from crm.tables import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from crm.webhooks.delivery import RETRY_SCHEDULE
from crm.webhooks.endpoints import create_endpoint
from crm.webhooks.jobs import deliver_webhook, repair_stalled_deliveries
from settings import Settings
from tests.crm.scores import emit, score, score_changed
from tests.crm.servers import WebhookReceiver, standard_webhooks_valid
from tests.factories import PASSWORD, make_account, make_member
from tests.support import FormClient, Mailbox


async def endpoint_for(
    receiver: WebhookReceiver,
    settings: Settings,
    events: tuple[str, ...] = ("score.updated", "score.band_changed"),
) -> tuple[WebhookEndpoint, str]:
    owner = await make_member(role="admin", email=f"owner{utcnow().timestamp()}@kizuna.example")
    return await create_endpoint(
        f"{receiver.url}/hooks/kizuna", list(events), "test", owner.id, settings
    )


async def test_register_from_the_page_shows_the_secret_once(
    client: FormClient, receiver: WebhookReceiver
) -> None:
    admin = await make_member(role="admin")
    await client.login(admin.email, PASSWORD)
    response = await client.post_form(
        "/staff/crm/webhooks",
        {
            "url": f"{receiver.url}/in",
            "events": ["score.updated", "score.band_changed"],
            "description": "CRM",
        },
    )
    assert response.status_code == 201
    secret = re.search(r'id="new-secret">(whsec_[A-Za-z0-9+/=]+)<', response.text).group(1)
    row = await WebhookEndpoint.objects().first()
    assert row.owner == admin.id and row.events == "score.band_changed score.updated"
    assert secret not in row.sealed_secret
    assert secret not in (await client.get("/staff/crm/webhooks")).text


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/hook", "http://"),
        ("javascript:alert(1)", "http://"),
        ("http://user:pw@example.com/", "ユーザー名"),
    ],
)
async def test_bad_urls_are_refused_on_the_page(client: FormClient, url: str, message: str) -> None:
    admin = await make_member(role="admin")
    await client.login(admin.email, PASSWORD)
    response = await client.post_form(
        "/staff/crm/webhooks", {"url": url, "events": "score.updated"}
    )
    assert response.status_code == 400
    assert message in response.text
    assert await WebhookEndpoint.count() == 0


async def test_no_event_chosen_is_refused(client: FormClient, receiver: WebhookReceiver) -> None:
    admin = await make_member(role="admin")
    await client.login(admin.email, PASSWORD)
    response = await client.post_form("/staff/crm/webhooks", {"url": receiver.url})
    assert response.status_code == 400
    assert "1つ以上選んでください" in response.text
    assert await WebhookEndpoint.count() == 0


async def test_private_targets_refused_when_not_allowed(
    settings: Settings, receiver: WebhookReceiver
) -> None:
    strict = settings.model_copy(update={"webhook_allow_private_targets": False})
    with pytest.raises(Exception, match="private") as caught:
        await create_endpoint(receiver.url, ["score.updated"], "", None, strict)
    assert caught.value.field_errors["url"]
    assert await WebhookEndpoint.count() == 0


async def test_score_change_delivers_signed_events(
    app: Any, settings: Settings, receiver: WebhookReceiver, run_jobs: Any
) -> None:
    _, secret = await endpoint_for(receiver, settings)
    _, band_secret = await endpoint_for(receiver, settings, ("score.band_changed",))
    account = await make_account(crm_external_id="0015g00000TEST01")
    await emit(account.id, score(55.0, "yellow"), score(35.5, "red"))
    assert await WebhookDelivery.count() == 3
    await run_jobs()
    requests = receiver.requests("POST")
    assert len(requests) == 3
    by_type: dict[str, list[Any]] = {}
    for request in requests:
        assert request.path == "/hooks/kizuna"
        assert request.headers["content-type"] == "application/json"
        assert abs(int(request.headers["webhook-timestamp"]) - utcnow().timestamp()) < 60
        key = (
            secret
            if standard_webhooks_valid(secret, request.headers, request.body)
            else band_secret
        )
        assert standard_webhooks_valid(key, request.headers, request.body)
        body = request.json()
        by_type.setdefault(body["type"], []).append(request)
        assert body["data"]["account_id"] == account.id
        assert body["data"]["crm_external_id"] == "0015g00000TEST01"
        assert body["data"]["band"] == "red" and body["data"]["score"] == 35.5
        assert body["data"]["previous"] == {"score": 55, "band": "yellow", "trend": "down"}
    assert len(by_type["score.updated"]) == 1 and len(by_type["score.band_changed"]) == 2
    ids = {r.headers["webhook-id"] for r in by_type["score.band_changed"]}
    assert len(ids) == 1  # one message, the same id at every endpoint
    statuses = await WebhookDelivery.select(
        WebhookDelivery.status, WebhookDelivery.last_status_code
    )
    assert all(s == {"status": "delivered", "last_status_code": 200} for s in statuses)


async def test_same_band_sends_only_score_updated_and_disabled_endpoints_get_nothing(
    settings: Settings, receiver: WebhookReceiver
) -> None:
    await endpoint_for(receiver, settings)
    off, _ = await endpoint_for(receiver, settings)
    await WebhookEndpoint.update({WebhookEndpoint.enabled: False}).where(
        WebhookEndpoint.id == off.id
    )
    account = await make_account()
    await emit(account.id, score(60.0, "yellow"), score(62.0, "yellow"))
    rows = await WebhookDelivery.select(WebhookDelivery.event, WebhookDelivery.endpoint)
    assert [(r["event"], r["endpoint"]) for r in rows] == [("score.updated", rows[0]["endpoint"])]
    assert rows[0]["endpoint"] != off.id


async def test_rolled_back_change_writes_no_delivery(
    settings: Settings, receiver: WebhookReceiver
) -> None:
    await endpoint_for(receiver, settings)
    account = await make_account()
    with pytest.raises(RuntimeError):
        async with transaction():
            await score_changed(account.id, None, score(10.0, "red"))
            raise RuntimeError("the score write failed")
    assert await WebhookDelivery.count() == 0
    assert not await QueuedJob.exists().where(QueuedJob.name == "deliver_webhook")


async def first_delivery(
    receiver: WebhookReceiver, settings: Settings
) -> tuple[int, WebhookEndpoint]:
    endpoint, _ = await endpoint_for(receiver, settings)
    account = await make_account()
    await emit(account.id, None, score(42.0, "yellow"))
    row = await WebhookDelivery.select(WebhookDelivery.id).first()
    return row["id"], endpoint


async def test_failure_schedules_a_durable_retry_with_backoff(
    settings: Settings, receiver: WebhookReceiver, job_ctx: dict[str, Any]
) -> None:
    delivery_id, _ = await first_delivery(receiver, settings)
    receiver.answers = [(500, {})]
    await deliver_webhook(job_ctx, delivery_id, 0)
    row = await WebhookDelivery.objects().where(WebhookDelivery.id == delivery_id).first()
    assert row.status == "pending" and row.attempts == 1 and row.last_status_code == 500
    delay = (row.next_attempt_at - utcnow()).total_seconds()
    assert RETRY_SCHEDULE[0] * 0.7 < delay <= RETRY_SCHEDULE[0] * 1.2
    job = await QueuedJob.objects().where(QueuedJob.key == f"webhook:{delivery_id}:1").first()
    assert job is not None and job.run_at > utcnow()
    await deliver_webhook(job_ctx, delivery_id, 0)  # a stale duplicate: sends nothing
    assert len(receiver.requests("POST")) == 1
    await deliver_webhook(job_ctx, delivery_id, 1)  # the retry
    row = await WebhookDelivery.objects().where(WebhookDelivery.id == delivery_id).first()
    assert row.status == "delivered" and row.attempts == 2
    assert await WebhookAttempt.count().where(WebhookAttempt.delivery == delivery_id) == 2
    ids = {r.headers["webhook-id"] for r in receiver.requests("POST")}
    assert len(ids) == 1


async def test_retry_after_is_honoured_on_429(
    settings: Settings, receiver: WebhookReceiver, job_ctx: dict[str, Any]
) -> None:
    delivery_id, _ = await first_delivery(receiver, settings)
    receiver.answers = [(429, {"Retry-After": "600"})]
    await deliver_webhook(job_ctx, delivery_id, 0)
    row = await WebhookDelivery.objects().where(WebhookDelivery.id == delivery_id).first()
    assert (row.next_attempt_at - utcnow()).total_seconds() > 590


async def owner_mail(endpoint_id: int, job_ctx: dict[str, Any], mailbox: Mailbox) -> str:
    """Send the queued emails (the job function itself) and return the endpoint owner's."""
    endpoint = await WebhookEndpoint.objects().where(WebhookEndpoint.id == endpoint_id).first()
    owner = await endpoint.get_related(WebhookEndpoint.owner)
    for email in await OutboundEmail.select(OutboundEmail.id):
        await deliver_email(job_ctx, email["id"])
    messages = mailbox.to(owner.email)
    assert len(messages) == 1
    return Mailbox.text_of(messages[0])


# These tests call the job functions themselves, without a running app: no background
# runner competes for the receiver's answers.


async def test_410_disables_the_endpoint_and_tells_its_owner(
    settings: Settings, receiver: WebhookReceiver, job_ctx: dict[str, Any], mailbox: Mailbox
) -> None:
    delivery_id, endpoint = await first_delivery(receiver, settings)
    account = await make_account()
    await emit(account.id, None, score(12.0, "red"))  # a second delivery, still waiting
    receiver.answers = [(410, {})]
    await deliver_webhook(job_ctx, delivery_id, 0)
    endpoint_row = await WebhookEndpoint.objects().where(WebhookEndpoint.id == endpoint.id).first()
    assert not endpoint_row.enabled and endpoint_row.disabled_reason == "gone"
    statuses = sorted(r["status"] for r in await WebhookDelivery.select(WebhookDelivery.status))
    assert statuses == ["cancelled", "failed"]
    assert "410" in await owner_mail(endpoint.id, job_ctx, mailbox)
    assert len(receiver.requests("POST")) == 1


async def test_failing_for_the_whole_window_disables_and_tells_the_owner(
    settings: Settings, receiver: WebhookReceiver, job_ctx: dict[str, Any], mailbox: Mailbox
) -> None:
    delivery_id, endpoint = await first_delivery(receiver, settings)
    last = len(RETRY_SCHEDULE)
    await WebhookDelivery.update(
        {WebhookDelivery.attempts: last, WebhookDelivery.series_attempts: last}
    ).where(WebhookDelivery.id == delivery_id)
    await WebhookEndpoint.update(
        {WebhookEndpoint.failing_since: utcnow() - timedelta(days=3)}
    ).where(WebhookEndpoint.id == endpoint.id)
    receiver.answers = [(503, {})]
    await deliver_webhook(job_ctx, delivery_id, last)
    row = await WebhookDelivery.objects().where(WebhookDelivery.id == delivery_id).first()
    assert row.status == "failed" and row.next_attempt_at is None
    endpoint_row = await WebhookEndpoint.objects().where(WebhookEndpoint.id == endpoint.id).first()
    assert not endpoint_row.enabled and endpoint_row.disabled_reason == "failing"
    assert "3日間" in await owner_mail(endpoint.id, job_ctx, mailbox)


async def test_exhausted_retries_after_a_recent_success_keep_the_endpoint(
    settings: Settings, receiver: WebhookReceiver, job_ctx: dict[str, Any]
) -> None:
    delivery_id, endpoint = await first_delivery(receiver, settings)
    last = len(RETRY_SCHEDULE)
    await WebhookDelivery.update(
        {WebhookDelivery.attempts: last, WebhookDelivery.series_attempts: last}
    ).where(WebhookDelivery.id == delivery_id)
    receiver.answers = [(500, {})]
    await deliver_webhook(job_ctx, delivery_id, last)
    assert (
        await WebhookDelivery.objects().where(WebhookDelivery.id == delivery_id).first()
    ).status == "failed"
    assert (
        await WebhookEndpoint.objects().where(WebhookEndpoint.id == endpoint.id).first()
    ).enabled


async def test_target_checked_again_at_delivery_time(
    settings: Settings, receiver: WebhookReceiver, job_ctx: dict[str, Any]
) -> None:
    delivery_id, _ = await first_delivery(receiver, settings)
    strict = {"settings": settings.model_copy(update={"webhook_allow_private_targets": False})}
    await deliver_webhook(strict, delivery_id, 0)
    assert receiver.requests("POST") == []
    row = await WebhookDelivery.objects().where(WebhookDelivery.id == delivery_id).first()
    assert row.status == "pending" and row.last_status_code is None
    assert "private" in row.last_error


async def test_redeliver_and_log_page(
    client: FormClient, settings: Settings, receiver: WebhookReceiver, run_jobs: Any
) -> None:
    admin = await make_member(role="admin")
    await client.login(admin.email, PASSWORD)
    delivery_id, endpoint = await first_delivery(receiver, settings)
    await run_jobs()
    response = await client.post_form(f"/staff/crm/webhooks/deliveries/{delivery_id}/redeliver")
    assert response.status_code == 303
    await run_jobs()
    requests = receiver.requests("POST")
    assert len(requests) == 2
    assert requests[0].headers["webhook-id"] == requests[1].headers["webhook-id"]
    assert requests[0].body == requests[1].body
    page = await client.get(f"/staff/crm/webhooks/{endpoint.id}")
    assert page.status_code == 200
    assert "配信済み" in page.text and "score.updated" in page.text and ">200<" in page.text
    await client.post_form(f"/staff/crm/webhooks/{endpoint.id}/disable")
    refused = await client.post_form(f"/staff/crm/webhooks/deliveries/{delivery_id}/redeliver")
    assert refused.status_code == 409
    assert "有効にしてください" in refused.text
    assert (
        await client.post_form("/staff/crm/webhooks/deliveries/999999/redeliver")
    ).status_code == 404


async def test_repair_requeues_stalled_deliveries(
    settings: Settings, receiver: WebhookReceiver, job_ctx: dict[str, Any]
) -> None:
    delivery_id, _ = await first_delivery(receiver, settings)
    await WebhookDelivery.update(
        {WebhookDelivery.next_attempt_at: utcnow() - timedelta(hours=1)}
    ).where(WebhookDelivery.id == delivery_id)
    assert await repair_stalled_deliveries(job_ctx) == 1
    assert await QueuedJob.exists().where(QueuedJob.key == f"webhook:{delivery_id}:0:repair")


async def test_webhook_api_with_a_token(client: FormClient, receiver: WebhookReceiver) -> None:
    admin = await make_member(role="admin")
    secret = (await create_token("ops", ["webhooks:manage"], None, admin)).secret
    headers = {"Authorization": f"Bearer {secret}"}
    created = await client.raw.post(
        "/api/v1/webhooks",
        json={"url": f"{receiver.url}/x", "events": ["score.updated"]},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["events"] == ["score.updated"]
    assert (await WebhookEndpoint.objects().first()).owner == admin.id
    listed = await client.raw.get("/api/v1/webhooks", headers=headers)
    assert [e["id"] for e in listed.json()] == [body["id"]] and "secret" not in listed.json()[0]
    bad = await client.raw.post(
        "/api/v1/webhooks", json={"url": "gopher://x", "events": ["score.updated"]}, headers=headers
    )
    assert bad.status_code == 422 and bad.headers["content-type"].startswith(
        "application/problem+json"
    )
    assert "http://" in json.dumps(bad.json(), ensure_ascii=False)
    unknown = await client.raw.post(
        "/api/v1/webhooks", json={"url": receiver.url, "events": ["score.deleted"]}, headers=headers
    )
    assert unknown.status_code == 400  # not one of the schema's event names
    assert (
        await client.raw.delete(f"/api/v1/webhooks/{body['id']}", headers=headers)
    ).status_code == 204
    assert await WebhookEndpoint.count() == 0
    await client.login(admin.email, PASSWORD)
    session_only = await client.api(
        "POST", "/api/v1/webhooks", json={"url": receiver.url, "events": ["score.updated"]}
    )
    assert session_only.status_code == 401  # token-only: a session is not the scheme


async def test_test_event_from_the_log_page(
    client: FormClient, settings: Settings, receiver: WebhookReceiver, run_jobs: Any
) -> None:
    admin = await make_member(role="admin")
    await client.login(admin.email, PASSWORD)
    endpoint, secret = await endpoint_for(receiver, settings)
    response = await client.post_form(f"/staff/crm/webhooks/{endpoint.id}/test")
    assert response.status_code == 303
    await run_jobs()
    [request] = receiver.requests("POST")
    assert standard_webhooks_valid(secret, request.headers, request.body)
    assert request.json()["type"] == "webhook.test"
    page = await client.get(f"/staff/crm/webhooks/{endpoint.id}")
    assert "webhook.test" in page.text and "配信済み" in page.text
    await client.post_form(f"/staff/crm/webhooks/{endpoint.id}/disable")
    refused = await client.post_form(f"/staff/crm/webhooks/{endpoint.id}/test")
    assert refused.status_code == 409

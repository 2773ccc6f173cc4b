"""HubSpot batch upsert of companies: 100 inputs a request, backing off on 429 and 5xx.

A step sends up to STEP_BATCHES batches of the run's pending items and records each batch's
verdict at once, so a crash loses at most the batch in flight (sent again: upsert is
idempotent). A long Retry-After ends the step; the job continues after it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import httpx

from core.timeutil import retry_after_seconds
from crm.files.formats import HUBSPOT_BATCH_SIZE, hubspot_input
from crm.files.mapping import FieldMapping, load_mapping
from crm.pushes.credentials import HubSpotCredentials, hubspot_credentials
from crm.pushes.sync import CrmError, iter_items, set_outcome
from crm.settings import CrmSettings
from crm.targets import check_target

UPSERT_PATH = "/crm/v3/objects/companies/batch/upsert"
STEP_BATCHES = 50
MAX_TRIES = 4
INLINE_WAIT_LIMIT = 10.0
BACKOFF_BASE = 0.5
TIMEOUT = httpx.Timeout(30.0, connect=10.0)


@dataclass
class BatchOutcome:
    succeeded: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    wait: float | None = None
    """Set when HubSpot asked to wait longer than a step may: nothing was decided."""
    fatal: str | None = None
    """Set when no further batch can succeed (credentials refused)."""


class HubSpotClient:
    def __init__(self, http: httpx.AsyncClient, credentials: HubSpotCredentials) -> None:
        self.http = http
        self.credentials = credentials

    def __repr__(self) -> str:
        return f"HubSpotClient({self.credentials!r})"

    async def upsert(self, body: dict[str, Any]) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.credentials.access_token}"}
        url = self.credentials.base_url.rstrip("/") + UPSERT_PATH
        return await self.http.post(url, json=body, headers=headers)


def _ids_in_errors(errors: Any, sent: set[str]) -> dict[str, str]:
    """Which sent ids HubSpot's error objects name (in their `context` lists)."""
    failed: dict[str, str] = {}
    for error in errors if isinstance(errors, list) else []:
        if not isinstance(error, dict):
            continue
        message = str(error.get("message") or error.get("category") or "error")[:300]
        context = error.get("context")
        for values in context.values() if isinstance(context, dict) else []:
            for value in values if isinstance(values, list) else [values]:
                if str(value) in sent:
                    failed[str(value)] = message
    return failed


def judge_response(response: httpx.Response, sent: list[str], id_property: str) -> BatchOutcome:
    """Each sent id's verdict from a 200 or 207 answer; anything unreadable fails them all."""
    try:
        body = response.json()
    except ValueError:
        return BatchOutcome(failed=dict.fromkeys(sent, f"HTTP {response.status_code}, not JSON"))
    if not isinstance(body, dict):
        return BatchOutcome(failed=dict.fromkeys(sent, "unexpected JSON"))
    wanted = set(sent)
    failed = _ids_in_errors(body.get("errors"), wanted)
    if response.status_code == 200 and not body.get("errors"):
        return BatchOutcome(succeeded=sent)
    confirmed = {
        str(result.get("properties", {}).get(id_property))
        for result in body.get("results") or []
        if isinstance(result, dict) and isinstance(result.get("properties"), dict)
    } & wanted
    if not confirmed and failed:
        confirmed = wanted - set(failed)  # errors named their ids: the rest went through
    outcome = BatchOutcome(succeeded=[i for i in sent if i in confirmed and i not in failed])
    for external_id in sent:
        if external_id not in outcome.succeeded:
            outcome.failed[external_id] = failed.get(external_id, "not confirmed by HubSpot")
    return outcome


async def send_batch(
    client: HubSpotClient, inputs: list[dict[str, Any]], id_property: str
) -> BatchOutcome:
    """POST one batch, retrying 429 (after Retry-After) and 5xx (with backoff) a few times."""
    sent = [str(item["id"]) for item in inputs]
    for attempt in range(1, MAX_TRIES + 1):
        try:
            response = await client.upsert({"inputs": inputs})
        except httpx.HTTPError as exc:
            problem, wait = f"{type(exc).__name__}", BACKOFF_BASE * 2**attempt
        else:
            status = response.status_code
            if status in (200, 207):
                return judge_response(response, sent, id_property)
            if status in (401, 403):
                return BatchOutcome(
                    failed=dict.fromkeys(sent, f"HTTP {status}"),
                    fatal=f"HubSpot refused the token (HTTP {status})",
                )
            if status != 429 and status < 500:
                return BatchOutcome(
                    failed=dict.fromkeys(sent, f"HTTP {status} {response.text[:200]}")
                )
            problem = f"HTTP {status}"
            wait = retry_after_seconds(response.headers) if status == 429 else None
            wait = wait if wait is not None else BACKOFF_BASE * 2**attempt
        if attempt == MAX_TRIES:
            return BatchOutcome(failed=dict.fromkeys(sent, problem))
        if wait > INLINE_WAIT_LIMIT:
            return BatchOutcome(wait=wait)
        await asyncio.sleep(wait)
    raise AssertionError("unreachable")


async def open_client(http: httpx.AsyncClient, settings: CrmSettings) -> HubSpotClient:
    credentials = await hubspot_credentials(settings)
    if credentials is None:
        raise CrmError("HubSpot is not configured")
    if credentials.source == "database":
        await check_target(credentials.base_url, settings.webhook_allow_private_targets)
    return HubSpotClient(http, credentials)


async def push_step(
    run_id: int, settings: CrmSettings, http: httpx.AsyncClient
) -> tuple[bool, float | None, str | None]:
    """Send up to STEP_BATCHES batches: (all done, wait before the next step, fatal error)."""
    client = await open_client(http, settings)
    mapping: FieldMapping = await load_mapping("hubspot")
    items: list[tuple[int, dict[str, Any]]] = []
    batches = 0
    async for item_id, row in iter_items(run_id):
        items.append((item_id, hubspot_input(row, mapping, settings.default_timezone)))
        if len(items) < HUBSPOT_BATCH_SIZE:
            continue
        done, wait, fatal = await _settle(client, items, mapping.key_field)
        items, batches = [], batches + 1
        if not done or fatal:
            return False, wait, fatal
        if batches >= STEP_BATCHES:
            return False, 0.0, None
    if items:
        done, wait, fatal = await _settle(client, items, mapping.key_field)
        if not done or fatal:
            return False, wait, fatal
    return True, None, None


async def _settle(
    client: HubSpotClient, items: list[tuple[int, dict[str, Any]]], id_property: str
) -> tuple[bool, float | None, str | None]:
    outcome = await send_batch(client, [body for _, body in items], id_property)
    if outcome.wait is not None:
        return False, outcome.wait, None
    by_external = {str(body["id"]): item_id for item_id, body in items}
    await set_outcome([by_external[i] for i in outcome.succeeded], "succeeded")
    by_error: dict[str, list[int]] = {}
    for external_id, error in outcome.failed.items():
        by_error.setdefault(error, []).append(by_external[external_id])
    for error, item_ids in by_error.items():
        await set_outcome(item_ids, "failed", error)
    return True, None, outcome.fatal

"""The steps of a Salesforce or HubSpot sync, each a job.

Retries are new durable job rows (core.jobs.enqueue with defer_by), never arq's own retry,
so a stopped worker or Redis loses no sync step.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from core.database import transaction
from core.errors import DomainError
from core.jobs import enqueue
from crm.pushes import hubspot, salesforce
from crm.pushes.sync import ACTIVE, CrmError, finish_run, get_run, snapshot_items
from crm.settings import CrmSettings
from crm.tables import SyncRun

log = logging.getLogger(__name__)
MAX_POLL_SECONDS = 24 * 3600
MAX_HUBSPOT_STEPS = 10_000


def _http_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=salesforce.TIMEOUT, follow_redirects=False)


def safe_error(exc: BaseException) -> str:
    """A message fit for the run log: ours verbatim, anything else by type only (no secrets)."""
    if isinstance(exc, CrmError):
        return str(exc)
    if isinstance(exc, DomainError):
        return exc.message % exc.params if exc.params else exc.message
    return f"unexpected error ({type(exc).__name__})"


async def run_crm_sync(ctx: dict[str, Any], run_id: int) -> None:
    """Snapshot what to send, then upload (Salesforce) or start the batches (HubSpot)."""
    settings: CrmSettings = ctx["settings"]
    run = await get_run(run_id)
    if run is None or run.status not in ACTIVE:
        return
    try:
        if run.status == "queued":
            await snapshot_items(run)
        run = await get_run(run_id)
        assert run is not None
        if run.sent == 0:
            await finish_run(run_id)
            return
        if run.crm == "hubspot":
            await push_hubspot_sync(ctx, run_id, 1)
            return
        async with _http_client() as http:
            error = await salesforce.upload_run(run, settings, http)
        await _after_upload(run_id, error, settings)
    except Exception as exc:
        log.warning("CRM sync %s failed: %s", run_id, safe_error(exc))
        await finish_run(run_id, safe_error(exc))


async def _after_upload(run_id: int, error: str | None, settings: CrmSettings) -> None:
    run = await get_run(run_id)
    assert run is not None
    if not run.remote_jobs:
        await finish_run(run_id, error or "nothing was uploaded")
        return
    async with transaction():
        if error:
            await SyncRun.update({SyncRun.error: error[:1000]}).where(SyncRun.id == run_id)
        await enqueue(
            poll_salesforce_sync,
            run_id,
            1,
            job_id=f"crm-sync:{run_id}:poll:1",
            defer_by=settings.crm_poll_interval_seconds,
        )


async def poll_salesforce_sync(ctx: dict[str, Any], run_id: int, poll: int) -> None:
    """Check the Bulk API jobs; when all finished, collect verdicts and close the run."""
    settings: CrmSettings = ctx["settings"]
    run = await get_run(run_id)
    if run is None or run.status != "running":
        return
    max_polls = max(1, int(MAX_POLL_SECONDS / max(settings.crm_poll_interval_seconds, 1.0)))
    problem: str | None = None
    try:
        async with _http_client() as http:
            if await salesforce.poll_run(run, settings, http):
                run = await get_run(run_id)
                assert run is not None
                await salesforce.collect_results(run, settings, http)
                await finish_run(run_id, run.error)
                return
    except (CrmError, DomainError) as exc:
        problem = safe_error(exc)  # transient until the polls run out: jobs may still finish
    if poll >= max_polls:
        await finish_run(run_id, problem or "Salesforce did not finish the jobs in time")
        return
    await enqueue(
        poll_salesforce_sync,
        run_id,
        poll + 1,
        job_id=f"crm-sync:{run_id}:poll:{poll + 1}",
        defer_by=settings.crm_poll_interval_seconds,
    )


async def push_hubspot_sync(ctx: dict[str, Any], run_id: int, step: int) -> None:
    """Send the next batches of a HubSpot run; continue in a later job when asked to wait."""
    settings: CrmSettings = ctx["settings"]
    run = await get_run(run_id)
    if run is None or run.status != "running":
        return
    try:
        async with httpx.AsyncClient(timeout=hubspot.TIMEOUT) as http:
            done, wait, fatal = await hubspot.push_step(run_id, settings, http)
    except Exception as exc:
        await finish_run(run_id, safe_error(exc))
        return
    if fatal or done:
        await finish_run(run_id, fatal)
        return
    if step >= MAX_HUBSPOT_STEPS:
        await finish_run(run_id, "too many steps")
        return
    await enqueue(
        push_hubspot_sync,
        run_id,
        step + 1,
        job_id=f"crm-sync:{run_id}:step:{step + 1}",
        defer_by=wait or 0,
    )

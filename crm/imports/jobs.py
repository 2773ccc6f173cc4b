"""The pull jobs: one run at a time per CRM and kind, on demand (an admin's button) and every
night for each connected CRM (accounts first, then the renewals that name them)."""

from __future__ import annotations

import contextlib
from typing import Any

import httpx

from core.errors import Conflict
from core.jobs import enqueue
from crm.files.mapping import CRMS
from crm.imports.sync import create_pull, get_pull, run_pull
from crm.pushes.credentials import hubspot_credentials, salesforce_credentials
from crm.settings import CrmSettings

TIMEOUT = httpx.Timeout(60.0, connect=10.0)


async def pull_from_crm(ctx: dict[str, Any], run_id: int) -> None:
    """Run one queued pull; a nightly accounts pull then starts the renewals pull."""
    async with httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False) as http:
        await run_pull(run_id, ctx["settings"], http)
    run = await get_pull(run_id)
    if run is not None and run.origin == "schedule" and run.kind == "accounts":
        with contextlib.suppress(Conflict):
            await start_pull(run.crm, "renewals", None, "schedule")


async def start_pull(crm: str, kind: str, member_id: int | None, origin: str = "manual") -> int:
    """Queue a pull and its job (Conflict when one of this CRM and kind is under way)."""
    run_id = await create_pull(crm, kind, member_id, origin)
    await enqueue(pull_from_crm, run_id, job_id=f"crm-pull:{run_id}")
    return run_id


async def connected(crm: str, settings: CrmSettings) -> bool:
    if crm == "salesforce":
        return await salesforce_credentials(settings) is not None
    return await hubspot_credentials(settings) is not None


async def pull_crms_nightly(ctx: dict[str, Any]) -> None:
    """Accounts (then renewals, see pull_from_crm) from every connected CRM; skipped where a
    pull is under way, so several workers start one."""
    for crm in CRMS:
        if await connected(crm, ctx["settings"]):
            with contextlib.suppress(Conflict):
                await start_pull(crm, "accounts", None, "schedule")

"""CRM export actions staff start: a sync run is created and its first job queued together."""

from __future__ import annotations

from core.database import transaction
from core.errors import DomainError
from core.i18n import N_
from core.jobs import enqueue
from crm.files.mapping import CRMS
from crm.pushes.credentials import hubspot_credentials, salesforce_credentials
from crm.pushes.jobs import run_crm_sync
from crm.pushes.sync import create_run
from crm.settings import CrmSettings
from crm.tables import SyncRun


async def request_sync(crm: str, member_id: int | None, settings: CrmSettings) -> SyncRun:
    """Queue a push of every score the CRM has not accepted yet (one run at a time per CRM)."""
    if crm not in CRMS:
        raise DomainError(N_("Unknown CRM: %(crm)s"), crm=crm)
    configured = (
        await salesforce_credentials(settings)
        if crm == "salesforce"
        else await hubspot_credentials(settings)
    )
    if configured is None:
        raise DomainError(N_("Enter the connection settings of this CRM first."))
    async with transaction():
        run = await create_run(crm, member_id)
        await enqueue(run_crm_sync, run.id, job_id=f"crm-sync:{run.id}")
    return run
